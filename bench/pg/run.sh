#!/usr/bin/env bash
# The PostgreSQL baseline of issue 5: a hash-chained payments table (schema.sql) on Debian's
# PostgreSQL 15, started here with initdb in a temporary directory on the benchmark disk, on a
# unix socket in that directory (no TCP), with synchronous_commit and fsync on, and stopped at the
# end. pgbench (1 thread, like wrk against mingzhangd) runs:
#   - single.sql: one payment per transaction, at PG_BENCH_CLIENTS clients (default "1 8 64");
#   - thousand.sql: 1,000 payments per transaction, at PG_BENCH_BATCH_CLIENTS (default "1 4").
# Then verify.sql recomputes the whole chain; a failed transaction or a broken link fails the run.
# The disk's own fsync rate comes first (pg_test_fsync), as the baseline of the same run.
#
#   bash bench/pg/run.sh
# Environment: MINGZHANG_BENCH_DIR (disk, default the repository), PG_BENCH_SECONDS (default 10).
# As root the server runs as the `postgres` user (PostgreSQL refuses root); otherwise as you.
# Prints a Markdown table, then "result NAME VALUE" lines that bench/run.sh reads.
set -euo pipefail
cd "$(dirname "$0")/../.."
here="$PWD/bench/pg"
seconds="${PG_BENCH_SECONDS:-10}"
single_clients="${PG_BENCH_CLIENTS:-1 8 64}"
batch_clients="${PG_BENCH_BATCH_CLIENTS:-1 4}"
readonly kRowsPerBatch=1000  # thousand.sql
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$pgbin/pg_ctl" ] || { echo "PostgreSQL is missing: source tools/deps.sh && install_deps postgresql" >&2; exit 1; }

work="$(mktemp -d "${MINGZHANG_BENCH_DIR:-$PWD}/pgbench.XXXXXX")"
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$work"
  as_pg=(runuser -u postgres --)
fi
pg() { "${as_pg[@]}" "$@"; }
started=0
cleanup() {
  if [ "$started" = 1 ]; then pg "$pgbin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fsync_per_s="$(cd "$work" && pg "$pgbin/pg_test_fsync" -f "$work/fsync.test" -s 1 |
  awk '/^Compare file sync methods using one 8kB write/ {on = 1} on && $1 == "fdatasync" {printf "%.0f", $2; exit}')"

pg "$pgbin/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C >"$work/initdb.log"
pg "$pgbin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-k $work -c listen_addresses= -c max_connections=100 -c synchronous_commit=on -c fsync=on" start >/dev/null
started=1
psql() { pg "$pgbin/psql" -h "$work" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -f "$here/schema.sql" >/dev/null

# bench SCRIPT CLIENTS: one pgbench run; sets tps (rounded), tps_exact and latency_ms
bench() {
  local out="$work/pgbench-$(basename "$1" .sql)-$2.txt"
  pg "$pgbin/pgbench" -h "$work" -U postgres -n -f "$1" -c "$2" -j 1 -T "$seconds" postgres >"$out" 2>&1 ||
    { echo "pgbench failed:" >&2; cat "$out" >&2; exit 1; }
  local failed
  failed="$(awk -F': ' '/number of failed transactions/ {print $2 + 0}' "$out")"
  [ "${failed:-0}" = 0 ] || { echo "INVALID RUN: $failed failed transactions" >&2; cat "$out" >&2; exit 1; }
  tps_exact="$(awk '/^tps = / {printf "%.2f", $3}' "$out")"
  tps="$(awk -v t="$tps_exact" 'BEGIN {printf "%.0f", t}')"
  latency_ms="$(awk '/^latency average = / {print $4}' "$out")"
}

echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'), synchronous_commit=on, fsync=on, unix socket; pgbench -j 1 -T $seconds"
echo
echo "| run | clients | transactions/s | payments/s | mean latency ms |"
echo "|---|---:|---:|---:|---:|"
echo "| disk: pg_test_fsync, one 8 kB write + fdatasync | 1 | $fsync_per_s | — | — |"
best_single=0
results=()
for c in $single_clients; do
  bench "$here/single.sql" "$c"
  echo "| 1 payment per transaction | $c | $tps | $tps | $latency_ms |"
  if [ "$tps" -gt "$best_single" ]; then best_single="$tps"; fi
  results+=("result pg_single_row_c${c}_per_s $tps")
done
best_batch=0
for c in $batch_clients; do
  bench "$here/thousand.sql" "$c"
  rows="$(awk -v t="$tps_exact" -v n="$kRowsPerBatch" 'BEGIN {printf "%.0f", t * n}')"
  echo "| 1,000 payments per transaction | $c | $tps_exact | $rows | $latency_ms |"
  if [ "$rows" -gt "$best_batch" ]; then best_batch="$rows"; fi
done

read -r broken rows < <(psql -A -t -F ' ' -f "$here/verify.sql")
[ "$broken" = 0 ] || { echo "INVALID RUN: $broken of $rows rows break the chain" >&2; exit 1; }
echo
echo "chain verified: $rows rows, every hash = SHA-256(prev_hash || body), seqs 0..$((rows - 1)) without a gap"
echo "result pg_fsync_per_s $fsync_per_s"
printf '%s\n' "${results[@]}"
echo "result pg_single_row_best_per_s $best_single"
echo "result pg_batch_rows_per_s $best_batch"
