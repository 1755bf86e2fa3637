#!/usr/bin/env bash
# The web console in a real browser (Debian's chromium, headless, driven by playwright-core from npm):
# scripts/browser/console.cjs — sign in, the dashboard moving after traffic, a 20 MiB upload with its
# progress bar, a byte-exact download, delete, and refusal without a session.
# playwright-core is installed once into an ignored cache (target/browser-cache), never committed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/browser/playwright-env.sh"
export KURA_ACCESS_KEY="${KURA_ACCESS_KEY:-$AWS_ACCESS_KEY_ID}" KURA_SECRET_KEY="${KURA_SECRET_KEY:-$AWS_SECRET_ACCESS_KEY}"
exec node "$ROOT/scripts/browser/console.cjs"
