#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest: once in the ordinary build
# (build/) and once more under ASan+UBSan (build-asan/, Debug), as CI does.
#   bash tools/test.sh           everything
#   bash tools/test.sh --quick   the ordinary build only
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
install_deps
build_project build
ctest --test-dir build --output-on-failure --parallel "$(nproc)"
if [ "${1:-}" != "--quick" ]; then
  build_project build-asan -DMINGZHANG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  # The browser tests drive Chromium against the ordinary build's server; the sanitized servers
  # are exercised by every other test.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure --parallel "$(nproc)" --label-exclude web
fi
