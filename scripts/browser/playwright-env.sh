# Sourced by the browser scripts: checks chromium and node, installs playwright-core (no browser
# download: it drives Debian's chromium) once into an ignored cache, and exports PLAYWRIGHT_CORE.
CACHE="${KURA_BROWSER_CACHE:-$ROOT/target/browser-cache}"
PLAYWRIGHT_VERSION=1.65.2
[ -x /usr/bin/chromium ] || { echo "chromium is missing (apt-get install chromium)"; exit 1; }
command -v node >/dev/null || { echo "node is missing (apt-get install nodejs npm)"; exit 1; }
if [ ! -f "$CACHE/node_modules/playwright-core/package.json" ] \
   || ! grep -q "\"version\": \"$PLAYWRIGHT_VERSION\"" "$CACHE/node_modules/playwright-core/package.json"; then
  mkdir -p "$CACHE"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$CACHE" --no-save --no-audit --no-fund --loglevel=error \
    "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null
fi
export PLAYWRIGHT_CORE="$CACHE/node_modules/playwright-core"
