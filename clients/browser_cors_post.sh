#!/usr/bin/env bash
# A real browser (Debian's chromium, headless, driven by playwright-core from npm) uploads through a
# presigned POST form from another origin and reads the object back with fetch(): scripts/browser/cors-post.cjs.
# playwright-core is installed once into an ignored cache (target/browser-cache), never committed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/browser/playwright-env.sh"
export KURA_ACCESS_KEY="${KURA_ACCESS_KEY:-$AWS_ACCESS_KEY_ID}" KURA_SECRET_KEY="${KURA_SECRET_KEY:-$AWS_SECRET_ACCESS_KEY}"
exec node "$ROOT/scripts/browser/cors-post.cjs"
