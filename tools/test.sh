#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest.
#   bash tools/test.sh              the ordinary build
#   bash tools/test.sh --sanitize   also the whole suite again under ASan+UBSan (build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
install_deps
build_project build
ctest --test-dir build --output-on-failure --parallel "$(nproc)"
if [ "${1:-}" = "--sanitize" ]; then
  build_project build-asan -DMINGZHANG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure --parallel "$(nproc)"
fi
