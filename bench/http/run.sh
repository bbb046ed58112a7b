#!/usr/bin/env bash
# HTTP benchmarks of mingzhangd (issue 5), every figure against GET /healthz of the same server in
# the same run (each GET row against a /healthz run right before it):
#   - durable payments/s: POST /v1/communities/{c}/payments, every request a new valid payment
#     (bench/http/payments.lua), against a bench community of HTTP_BENCH_UNITS units registered here;
#   - GET statement (a year of a demo community) and GET owner account (a year, also gzip-coded;
#     a month): req/s, p50, p99;
#   - peak RSS of mingzhangd (VmHWM) after the load; server CPU time per request; the disk's synced
#     4 KiB writes/s (dd oflag=dsync) just before and after the payments, which bound group commits.
# mingzhangd runs on a fresh data dir holding the `mingzhang demo` district, on loopback, and is
# stopped at the end. wrk and the server share this machine's cores: wrk gets HTTP_BENCH_WRK_THREADS
# (default 1), the server --threads HTTP_BENCH_SERVER_THREADS (default 1, plus the ledger's own
# sequencer and writer threads).
#
#   bash bench/http/run.sh [BUILD_DIR]      (default build-rel, already built; bench/run.sh builds it)
# Environment: MINGZHANG_BENCH_DIR (disk for the data dir, default the repository),
#   HTTP_BENCH_SECONDS (per wrk run, default 10), HTTP_BENCH_CONNECTIONS (default 64),
#   HTTP_BENCH_SERVER_THREADS, HTTP_BENCH_WRK_THREADS, HTTP_BENCH_UNITS (default 20000).
# Prints a Markdown table, then "result NAME VALUE" lines that bench/run.sh reads.
set -euo pipefail
cd "$(dirname "$0")/../.."
build="${1:-build-rel}"
here=bench/http
seconds="${HTTP_BENCH_SECONDS:-10}"
connections="${HTTP_BENCH_CONNECTIONS:-64}"
server_threads="${HTTP_BENCH_SERVER_THREADS:-1}"
wrk_threads="${HTTP_BENCH_WRK_THREADS:-1}"
units="${HTTP_BENCH_UNITS:-20000}"
readonly kUnitsPerRequest=5000          # POST .../units takes at most this many
readonly kBenchRate=250                 # fen per m² per month
readonly kBenchArea=8000                # centi-m² (80 m²): a monthly fee of 20,000 fen
readonly kBenchFee=$((kBenchArea * kBenchRate / 100))
readonly kBenchFirstMonth=2026-01
readonly kStatementPath=/v1/communities/lanting/statements/2026
readonly kAccountPath="/v1/communities/lanting/units/1-0101/account?period=2026"
readonly kAccountMonthPath="/v1/communities/lanting/units/1-0101/account?period=2026-11"

command -v wrk >/dev/null || { echo "wrk is missing: source tools/deps.sh && install_deps wrk" >&2; exit 1; }
[ -x "$build/api/mingzhangd" ] || { echo "no $build/api/mingzhangd: build it first" >&2; exit 1; }
work="$(mktemp -d "${MINGZHANG_BENCH_DIR:-$PWD}/httpbench.XXXXXX")"
server=""
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- the server, on an ephemeral port ---------------------------------------------------------
"$build/api/mingzhangd" --data-dir "$work/data" --listen 127.0.0.1:0 --threads "$server_threads" \
  --origin bench.local/http 2>"$work/server.log" &
server=$!
port=""
for _ in $(seq 1 100); do
  port="$(sed -n 's|.*serving .* on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/server.log" | head -1)"
  [ -n "$port" ] && curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
[ -n "$port" ] || { echo "mingzhangd did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
url="http://127.0.0.1:$port"
admin="$(cat "$work/data/admin.token")"

# --- data: the demo district, then a bench community the payments run pays into ---------------
"$build/tools/mingzhang" demo --server "$url" --admin-token-file "$work/data/admin.token" \
  --out-dir "$work/tokens" >"$work/demo.log"
firm_id="$(sed -n 's/^firm \([^ ]*\) .*/\1/p' "$work/tokens/demo.txt")"

post() {  # post PATH TOKEN BODY_FILE: fails unless 201
  local status
  status="$(curl -sS -o "$work/answer.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $2" \
    -H 'Content-Type: application/json' --data-binary "@$3" "$url$1")"
  [ "$status" = 201 ] || { echo "POST $1: $status $(head -c 300 "$work/answer.json")" >&2; exit 1; }
}
printf '{"idempotency_key":"bench-community","community_id":"bench","name":"Bench","firm_id":"%s",'`
  `'"fee_rate_fen_per_m2_month":%d,"remuneration":{"basis_points_of_fee_income":1000},'`
  `'"start_month":"%s"}' "$firm_id" "$kBenchRate" "$kBenchFirstMonth" >"$work/body.json"
post /v1/communities "$admin" "$work/body.json"
for ((first = 0; first < units; first += kUnitsPerRequest)); do
  awk -v first="$first" -v last="$((first + kUnitsPerRequest < units ? first + kUnitsPerRequest : units))" \
      -v area="$kBenchArea" 'BEGIN {
    printf "{\"idempotency_key\":\"bench-units-%d\",\"units\":[", first
    for (i = first; i < last; i++) printf "%s{\"unit_id\":\"u-%05d\",\"area_centi_m2\":%d}", (i > first ? "," : ""), i, area
    print "]}"
  }' >"$work/body.json"
  post /v1/communities/bench/units "$admin" "$work/body.json"
done
printf '{"role":"firm","principal_id":"%s","communities":["bench"]}' "$firm_id" >"$work/body.json"
post /v1/tokens "$admin" "$work/body.json"
bench_token="$(sed 's/.*"token":"\([^"]*\)".*/\1/' "$work/answer.json")"
tree_before="$(curl -fsS "$url/metrics" | awk '$1 == "mingzhang_tree_size" {print $2}')"

# --- measuring --------------------------------------------------------------------------------
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }  # utime + stime
ticks_per_s="$(getconf CLK_TCK)"
metric() { curl -fsS "$url/metrics" | awk -v n="$1" '$1 == n {printf "%d", $2}'; }

# run NAME [wrk args...]: one wrk run; sets rate, p50, p99, requests, cpu_us and wrk_cpu_us (the
# server's and wrk's CPU time per request: together they bound the rate on a machine they share)
run() {
  local name="$1"
  shift
  local out="$work/wrk-$name.txt" before after wrk_cpu_s
  before="$(cpu_ticks)"
  wrk_cpu_s="$( { TIMEFORMAT='%U %S'; time wrk -t"$wrk_threads" -c"$connections" -d"${seconds}s" --latency "$@" >"$out"; } 2>&1 |
    awk '{print $1 + $2}')"
  after="$(cpu_ticks)"
  rate="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")"
  requests="$(awk '/requests in/ {print $1}' "$out")"
  p50="$(awk '$1 == "50%" {print $2}' "$out")"
  p99="$(awk '$1 == "99%" {print $2}' "$out")"
  cpu_us=$(((after - before) * 1000000 / ticks_per_s / (requests > 0 ? requests : 1)))
  wrk_cpu_us="$(awk -v s="$wrk_cpu_s" -v n="$requests" 'BEGIN {printf "%.0f", (n > 0 ? s * 1e6 / n : 0)}')"
  # wrk counts answers of status 400 and above ("Non-2xx or 3xx responses") and socket errors;
  # a run with either would count refusals as work. No route measured here answers 3xx.
  if grep -q -e 'Non-2xx or 3xx responses' -e 'Socket errors' "$out"; then
    echo "$name: INVALID RUN, wrk said:" >&2
    cat "$out" >&2
    exit 1
  fi
}

# body_bytes TOKEN_NAME PATH [CURL_ARGS...]: the size of one answer's body as sent
body_bytes() {
  local token="$1" path="$2"
  shift 2
  curl -fsS -o /dev/null -w '%{size_download}' -H "Authorization: Bearer $(cat "$work/tokens/$token.token")" "$@" "$url$path"
}
# The disk's synced small writes per second, where the data dir is (dd, 4 KiB, O_DSYNC): what
# bounds group commits, measured right before and after the payments.
readonly kSyncProbeWrites=300
disk_syncs_per_s() {
  dd if=/dev/zero of="$work/sync.probe" bs=4k count="$kSyncProbeWrites" oflag=dsync 2>&1 |
    awk -v n="$kSyncProbeWrites" '/copied/ {for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^s,?$/) {printf "%.0f", n / $i; exit}}'
  rm -f "$work/sync.probe"
}
ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v / 1000; else if (v ~ /ms$/) printf "%.2f", v + 0; else printf "%.0f", v * 1000 }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", 100 * a / b }'; }
# row LABEL BASELINE_RATE: the last run's line, its rate against BASELINE_RATE
row() {
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$rate" "$2" "$(pct "$rate" "$2")" "$(ms "$p50")" \
    "$(ms "$p99")" "$cpu_us" "$wrk_cpu_us"
}
# paired NAME [wrk args...]: a /healthz run, then the run asked for, which is measured against it
# (pair_rate). On a shared machine /healthz alone drifts by up to a third within a minute; a
# baseline taken right before each row keeps that drift out of its ratio.
paired() {
  local name="$1"
  shift
  run "healthz_before_$name" "$url/healthz"
  pair_rate="$rate"
  run "$name" "$@"
}

echo "mingzhangd --threads $server_threads; wrk -t$wrk_threads -c$connections -d${seconds}s --latency; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| run | req/s | /healthz, baseline | vs it | p50 ms | p99 ms | server CPU µs/req | wrk CPU µs/req |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
run healthz "$url/healthz"
health_rate="$rate"
row "GET /healthz (baseline)" "$health_rate"

syncs_before="$(disk_syncs_per_s)"
appends_before="$(metric mingzhang_appends_total)"
batches_before="$(metric mingzhang_batches_total)"
run payments -s "$here/payments.lua" "$url" -- "$bench_token" bench "$units" "$kBenchFirstMonth" "$kBenchFee" \
  "$(date +%F)" "run$$" "$wrk_threads"
payments_rate="$rate"
syncs_after="$(disk_syncs_per_s)"
appends=$(($(metric mingzhang_appends_total) - appends_before))
# Every answer wrk counted must be a new entry (201, not a 200 replay); requests still in flight
# when wrk stopped (at most one per connection) may have been appended too.
if [ "$appends" -lt "$requests" ] || [ "$appends" -gt $((requests + connections)) ]; then
  echo "payments: INVALID RUN, $appends entries appended for $requests answers" >&2
  exit 1
fi
batches=$(($(metric mingzhang_batches_total) - batches_before))
rss_after_payments_kib="$(awk '/^VmHWM:/ {print $2}' "/proc/$server/status")"
row "POST payments (201, durable)" "$health_rate"

# Each read below against a /healthz run just before it.
paired statement -H "Authorization: Bearer $(cat "$work/tokens/regulator.token")" "$url$kStatementPath"
statement_rate="$rate"
row "GET statement lanting 2026 ($(body_bytes regulator "$kStatementPath") bytes)" "$pair_rate"
paired account -H "Authorization: Bearer $(cat "$work/tokens/owner.token")" "$url$kAccountPath"
account_rate="$rate"
row "GET account lanting 1-0101 2026 ($(body_bytes owner "$kAccountPath") bytes)" "$pair_rate"
# The same answer to a client that accepts gzip, as browsers do: kept compressed (api/http/gzip.h).
paired account_gzip -H "Authorization: Bearer $(cat "$work/tokens/owner.token")" -H "Accept-Encoding: gzip" "$url$kAccountPath"
account_gzip_rate="$rate"
row "GET account lanting 1-0101 2026, gzip ($(body_bytes owner "$kAccountPath" -H "Accept-Encoding: gzip") bytes)" "$pair_rate"
paired account_month -H "Authorization: Bearer $(cat "$work/tokens/owner.token")" "$url$kAccountMonthPath"
row "GET account lanting 1-0101 2026-11 ($(body_bytes owner "$kAccountMonthPath") bytes)" "$pair_rate"
run healthz_again "$url/healthz"
row "GET /healthz again" "$health_rate"
rss_kib="$(awk '/^VmHWM:/ {print $2}' "/proc/$server/status")"
tree_after="$(curl -fsS "$url/metrics" | awk '$1 == "mingzhang_tree_size" {print $2}')"

echo
echo "payments: $appends entries appended in $batches group commits ($(awk -v a="$appends" -v b="$batches" 'BEGIN {printf "%.1f", b ? a / b : 0}') per commit); tree $tree_before -> $tree_after entries"
echo "disk: $syncs_before synced 4 KiB writes/s before the payments, $syncs_after after (dd oflag=dsync in the data dir's directory)"
echo "mingzhangd peak RSS (VmHWM): $((rss_after_payments_kib / 1024)) MiB after the payments, $((rss_kib / 1024)) MiB at the end"
echo "result disk_syncs_per_s $syncs_before"
echo "result http_healthz_per_s $health_rate"
echo "result http_payments_per_s $payments_rate"
echo "result http_statement_per_s $statement_rate"
echo "result http_account_per_s $account_rate"
echo "result http_account_gzip_per_s $account_gzip_rate"
echo "result http_peak_rss_mib $((rss_kib / 1024))"
