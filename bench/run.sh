#!/usr/bin/env bash
# Reproduces bench/RESULTS.md: builds in release mode and runs every benchmark on this machine.
#   bash bench/run.sh                 (MINGZHANG_BENCH_DIR=/some/disk to measure another disk)
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
install_deps
build_project build-rel
dir="${MINGZHANG_BENCH_DIR:-$PWD}"
echo "## machine"
lscpu | grep -E 'Model name|^CPU\(s\)' | sed 's/  */ /g'
free -g | awk '/Mem:/ {print "memory: " $2 " GiB"}'
df -h "$dir" | tail -1 | awk '{print "disk: " $1 " (" $2 ")"}'
echo "## durable appends (ledger vs raw RocksDB, sync = true)"
./build-rel/bench/append_bench --dir "$dir"
