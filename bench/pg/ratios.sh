#!/usr/bin/env bash
# mingzhang against the PostgreSQL baseline, from the outputs of one bench/run.sh run:
#   bash bench/pg/ratios.sh DIR    (DIR holds append.txt, http.txt and pg.txt)
set -euo pipefail
dir="$1"
result() { awk -v n="$2" '$1 == "result" && $2 == n {print $3}' "$dir/$1"; }
# append_bench's table: batch, entries, ledger entries/s, raw RocksDB entries/s, ratio
library() { awk -v b="$1" '$1 == b && $3 ~ /^[0-9.]+$/ {printf "%.0f", $3; exit}' "$dir/append.txt"; }
ratio() { if [ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ]; then awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f×", a / b}'; else echo "—"; fi; }
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "${2:-—}" "$3" "${4:-—}" "$(ratio "$2" "$4")" "$5"; }

http="$(result http.txt http_payments_per_s)"
pg64="$(result pg.txt pg_single_row_c64_per_s)"
pg1="$(result pg.txt pg_single_row_c1_per_s)"
pg_best="$(result pg.txt pg_single_row_best_per_s)"
pg_batch="$(result pg.txt pg_batch_rows_per_s)"
echo "| mingzhang | per s | PostgreSQL hash-chained table | per s | ratio | goal |"
echo "|---|---:|---|---:|---:|---|"
row "HTTP payments, 64 connections" "$http" "1 payment per transaction, 64 clients" "$pg64" "≥ 20×"
row "HTTP payments, 64 connections" "$http" "1 payment per transaction, best client count" "$pg_best" ""
row "library appends, batch 1" "$(library 1)" "1 payment per transaction, 1 client" "$pg1" ""
row "library appends, batch 1,024" "$(library 1024)" "1,000 payments per transaction, best" "$pg_batch" ""
