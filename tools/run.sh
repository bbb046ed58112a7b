#!/usr/bin/env bash
# Installs what is missing, builds, and runs mingzhangd on ./data. On the first run (empty data
# dir) it creates the demo district through the API, then prints where everything is.
#   MINGZHANG_DATA_DIR (default ./data), MINGZHANG_LISTEN (default 127.0.0.1:8080)
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
install_deps
build_project build
data_dir="${MINGZHANG_DATA_DIR:-./data}"
listen="${MINGZHANG_LISTEN:-127.0.0.1:8080}"
url="http://$listen"
fresh=0
[ -e "$data_dir/store/CURRENT" ] || fresh=1

./build/api/mingzhangd --data-dir "$data_dir" --listen "$listen" --origin "mingzhang.local/district-demo" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server' INT TERM
for _ in $(seq 1 100); do
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
if [ "$fresh" = 1 ]; then
  echo "creating the demo district (first run)..."
  ./build/tools/mingzhang demo --server "$url" --admin-token-file "$data_dir/admin.token" --out-dir "$data_dir/demo-tokens"
fi
cat <<EOT

mingzhangd is serving $url (data in $data_dir; stop with Ctrl-C)
tokens: $data_dir/admin.token and $data_dir/demo-tokens/{owner,firm,committee,regulator}.token
        (which unit the owner holds: $data_dir/demo-tokens/demo.txt)
try:
  curl -s $url/v1/checkpoint
  curl -s -H "Authorization: Bearer \$(cat $data_dir/demo-tokens/regulator.token)" "$url/v1/ratings?period=2026"
  curl -s -H "Authorization: Bearer \$(cat $data_dir/demo-tokens/regulator.token)" $url/v1/communities/lanting/statements/2026-Q3
EOT
wait $server
