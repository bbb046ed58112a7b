#!/usr/bin/env bash
# Reproduces bench/RESULTS.md: builds in release mode and runs every benchmark on this machine.
#   bash bench/run.sh                 (MINGZHANG_BENCH_DIR=/some/disk to measure another disk;
#                                      MINGZHANG_LOG_SIZES=1000000 to skip the 10M-entry log)
# bench/http/run.sh and bench/pg/run.sh read their own settings from the environment (see each).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
install_deps wrk postgresql  # load generator and the PostgreSQL baseline (bench/http, bench/pg)
build_project build-rel
dir="${MINGZHANG_BENCH_DIR:-$PWD}"
out="$(mktemp -d)"  # each part's output, for the ratios at the end
trap 'rm -rf "$out"' EXIT
echo "## machine"
lscpu | grep -E 'Model name|^CPU\(s\)' | sed 's/  */ /g'
free -g | awk '/Mem:/ {print "memory: " $2 " GiB"}'
df -h "$dir" | tail -1 | awk '{print "disk: " $1 " (" $2 ")"}'
echo "## durable appends (ledger vs raw RocksDB, sync = true)"
./build-rel/bench/append_bench --dir "$dir" | tee "$out/append.txt"
echo "## proofs at 1M and 10M entries, full verify vs SHA-256, statements, memory"
./build-rel/bench/log_bench --dir "$dir" --entries "${MINGZHANG_LOG_SIZES:-1000000,10000000}"
echo "## start-up and memory by log size (a district's log; Ledger::Open and mingzhangd to /healthz)"
./build-rel/bench/startup_bench --dir "$dir" --entries "${MINGZHANG_LOG_SIZES:-1000000,10000000}" --warm-open
echo "## HTTP (mingzhangd against wrk on this machine)"
MINGZHANG_BENCH_DIR="$dir" bash bench/http/run.sh build-rel | tee "$out/http.txt"
echo "## PostgreSQL (hash-chained table)"
MINGZHANG_BENCH_DIR="$dir" bash bench/pg/run.sh | tee "$out/pg.txt"
echo "## mingzhang vs PostgreSQL, this run"
bash bench/pg/ratios.sh "$out"
