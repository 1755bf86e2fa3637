#!/usr/bin/env bash
# Screenshots of the web console for the README, made by the browser the tests use (Debian's chromium
# driven by playwright-core): starts a fresh `./kura server` on free ports, fills a bucket, makes about
# a minute of traffic, and writes docs/console-dashboard.png and docs/console-browser.png (1280×800).
#   scripts/console-screenshots.sh [OUTPUT_DIR]   (default: docs/)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mkdir -p "${1:-$ROOT/docs}"; OUT="$(cd "${1:-$ROOT/docs}" && pwd)"
source "$ROOT/scripts/browser/playwright-env.sh"
WORK="$(mktemp -d)"
export KURA_ACCESS_KEY=KURASCREENSHOTS001 KURA_SECRET_KEY="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
SERVER=""
cleanup() { [ -n "$SERVER" ] && { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; }; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=$((20000 + RANDOM % 20000)); APORT=$((PORT + 1))
./kura server --address "127.0.0.1:$PORT" --admin-address "127.0.0.1:$APORT" --data "$WORK/data" --access-log off \
  >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$APORT/health/ready" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { echo "the server did not start"; cat "$WORK/server.log"; exit 1; }
  sleep 0.2
done
export KURA_ENDPOINT="http://127.0.0.1:$PORT" KURA_ADMIN_ENDPOINT="http://127.0.0.1:$APORT" KURA_CONSOLE_SCREENSHOTS="$OUT"
node "$ROOT/scripts/browser/console.cjs"
