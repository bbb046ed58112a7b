#!/usr/bin/env bash
# The README's "A short tour" runs as written, so that it never names a unit, a seq or a file that
# the demo does not have. Its command lines (the indented ones under that heading) run in order
# against a fresh mingzhangd with the demo district, from a directory laid out as after
# `bash tools/run.sh` (./data, ./build/tools/mingzhang); every curl fails on an HTTP error.
#   readme_tour_test.sh README MINGZHANGD MINGZHANG_CLI
set -euo pipefail
readme=$(realpath "$1") mingzhangd=$(realpath "$2") cli=$(realpath "$3")
work=$(mktemp -d)
trap 'kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/data" "$work/build/tools"
ln -s "$cli" "$work/build/tools/mingzhang"
cp -r "$(dirname "$readme")/tools" "$work/tools"  # the sample files the tour reads

port=$((20000 + RANDOM % 20000))
"$mingzhangd" --data-dir "$work/data" --listen "127.0.0.1:$port" --origin mingzhang.local/district-demo \
  --access-log "$work/data/access.log" 2>"$work/mingzhangd.log" &
server=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
"$cli" demo --server "http://127.0.0.1:$port" --admin-token-file "$work/data/admin.token" \
  --out-dir "$work/data/demo-tokens" >/dev/null

# The tour: indented lines from its heading to the next; the README's port becomes this one's.
awk '/^## A short tour/ { on = 1; next } /^## / { on = 0 } on && /^    / { sub(/^    /, ""); print }' "$readme" |
  sed "s/127\.0\.0\.1:8080/127.0.0.1:$port/g" >"$work/tour.sh"
lines=$(grep -c . "$work/tour.sh")
[ "$lines" -ge 10 ] || { echo "the tour has only $lines command lines"; exit 1; }
if grep -n '<[a-z_]*>' "$work/tour.sh"; then
  echo "the tour has placeholders (above): write what the demo has"
  exit 1
fi
cd "$work"
export HOME="$work"  # mingzhang verify remembers the log it trusts under HOME
# curl fails on an HTTP error and still prints the problem, so a refused step stops the tour.
{ echo 'curl() { command curl --fail-with-body "$@"; }'; cat tour.sh; } >tour-run.sh
if ! bash -euo pipefail -x tour-run.sh >tour.out 2>tour.err; then
  echo "the README tour stopped:"
  tail -20 tour.err
  tail -5 tour.out
  exit 1
fi
echo "the README tour ran: $lines lines"; [ -z "${TOUR_SHOW:-}" ] || cat tour.out
