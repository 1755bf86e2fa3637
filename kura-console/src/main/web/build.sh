#!/usr/bin/env bash
# Builds the console's single-page app into $1 (the jar's classpath resources), as Maven's
# generate-resources phase runs it: `npm ci` only when node_modules does not match package-lock.json
# (a stamp holds the lock file's hash), then `tsc --noEmit && vite build`. Only Debian's node/npm and
# the npm registry are used; nothing else is downloaded.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
OUT="${1:?usage: build.sh OUTPUT_DIR}"
command -v npm >/dev/null || { echo "kura-console: npm is missing (apt-get install nodejs npm)" >&2; exit 1; }
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
stamp=node_modules/.kura-lock-sha256
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "kura-console: npm ci (node_modules differs from package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > "$stamp"
fi
KURA_CONSOLE_OUT="$OUT" npm run --silent build
