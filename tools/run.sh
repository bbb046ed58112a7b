#!/usr/bin/env bash
# Installs what is missing, builds what the server needs, and runs mingzhangd on ./data. On the
# first run (empty data dir) it creates the demo district through the API, then prints where
# everything is. The access log goes to DATA/access.log, so the terminal stays readable.
#   bash tools/run.sh [--tls]   --tls: HTTPS with a certificate made on the spot (DATA/tls/), so
#                               that phones on the network can check proofs in their browser
#   MINGZHANG_DATA_DIR (default ./data), MINGZHANG_LISTEN (default 127.0.0.1:8080)
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/deps.sh
install_deps
build_project build --target mingzhangd mingzhang mingzhang_portal
data_dir="${MINGZHANG_DATA_DIR:-./data}"
listen="${MINGZHANG_LISTEN:-127.0.0.1:8080}"
scheme=http
tls_flags=()
if [ "${1:-}" = "--tls" ]; then
  scheme=https
  mkdir -p "$data_dir/tls"
  if [ ! -e "$data_dir/tls/cert.pem" ]; then
    # A self-signed certificate for this host: browsers ask once to trust it.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
      -subj "/CN=mingzhang" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:${listen%:*}" \
      -keyout "$data_dir/tls/key.pem" -out "$data_dir/tls/cert.pem" 2>/dev/null
    chmod 600 "$data_dir/tls/key.pem"
  fi
  tls_flags=(--tls-cert "$data_dir/tls/cert.pem" --tls-key "$data_dir/tls/key.pem")
fi
url="$scheme://$listen"
fresh=0
[ -e "$data_dir/store/CURRENT" ] || fresh=1

mkdir -p "$data_dir"
./build/api/mingzhangd --data-dir "$data_dir" --listen "$listen" --origin "mingzhang.local/district-demo" \
  --access-log "$data_dir/access.log" "${tls_flags[@]}" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server' INT TERM
for _ in $(seq 1 100); do
  curl -fsSk "$url/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
if [ "$fresh" = 1 ]; then
  echo "creating the demo district (first run)..."
  # The demo speaks plain HTTP to the server (its client has no TLS): a second listener is not
  # needed, the demo is made before the first HTTPS start or by a plain run.
  if [ "$scheme" = http ]; then
    ./build/tools/mingzhang demo --server "$url" --admin-token-file "$data_dir/admin.token" --out-dir "$data_dir/demo-tokens"
  else
    echo "  (the demo district is made by a first plain run: bash tools/run.sh, Ctrl-C, then --tls)"
  fi
fi
cat <<EOT

mingzhangd is serving $url (data in $data_dir; access log in $data_dir/access.log; stop with Ctrl-C)
portal:  $url/   (an owner signs in with an invitation code; staff with a token below)
tokens:  $data_dir/admin.token and $data_dir/demo-tokens/{owner,firm,committee,regulator}.token
         (which unit the owner holds: $data_dir/demo-tokens/demo.txt)
try:
  curl -sk $url/v1/checkpoint
  curl -sk -H "Authorization: Bearer \$(cat $data_dir/demo-tokens/regulator.token)" "$url/v1/ratings?period=2026"
  curl -sk -H "Authorization: Bearer \$(cat $data_dir/demo-tokens/regulator.token)" $url/v1/communities/lanting/statements/2026-Q3
EOT
wait $server
