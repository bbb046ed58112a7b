#!/usr/bin/env bash
# Installs what is missing, builds, creates a log in ./data if there is none, and shows it:
# its signed checkpoint and an offline verification of everything in it.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
install_deps
build_project build
data_dir="${MINGZHANG_DATA_DIR:-./data}"
if [ ! -e "$data_dir/store/CURRENT" ]; then
  ./build/tools/mingzhang init --data-dir "$data_dir" --origin "${MINGZHANG_ORIGIN:-mingzhang.local/district-demo}"
fi
echo "--- latest signed checkpoint of $data_dir"
./build/tools/mingzhang checkpoint --data-dir "$data_dir"
echo "--- offline verification"
./build/tools/mingzhang verify --data-dir "$data_dir"
