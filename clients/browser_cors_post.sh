#!/usr/bin/env bash
# A real browser (Debian's chromium, headless, driven by playwright-core from npm) uploads through a
# presigned POST form from another origin and reads the object back with fetch(): scripts/browser/cors-post.cjs.
# playwright-core is installed once into an ignored cache (target/browser-cache), never committed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${KURA_BROWSER_CACHE:-$ROOT/target/browser-cache}"
PLAYWRIGHT_VERSION=1.65.2
[ -x /usr/bin/chromium ] || { echo "chromium is missing (apt-get install chromium)"; exit 1; }
command -v node >/dev/null || { echo "node is missing (apt-get install nodejs npm)"; exit 1; }
if [ ! -f "$CACHE/node_modules/playwright-core/package.json" ] \
   || ! grep -q "\"version\": \"$PLAYWRIGHT_VERSION\"" "$CACHE/node_modules/playwright-core/package.json"; then
  mkdir -p "$CACHE"
  # no browser download: playwright-core drives the system chromium
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$CACHE" --no-save --no-audit --no-fund --loglevel=error \
    "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null
fi
export PLAYWRIGHT_CORE="$CACHE/node_modules/playwright-core"
export KURA_ACCESS_KEY="${KURA_ACCESS_KEY:-$AWS_ACCESS_KEY_ID}" KURA_SECRET_KEY="${KURA_SECRET_KEY:-$AWS_SECRET_ACCESS_KEY}"
exec node "$ROOT/scripts/browser/cors-post.cjs"
