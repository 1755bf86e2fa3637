#!/usr/bin/env bash
# The whole test suite, as `./kura test` runs it (the launcher has already put a JDK >= 25 on PATH):
#   1. every Maven module's tests: unit, in-process AWS SDK for Java v2, crash and process tests;
#   2. real third-party clients (Debian's awscli, python3-boto3, rclone, s3cmd, s3fs) and headless
#      chromium (the CORS/POST page and the web console) against a started `./kura server`.
# Options: --unit (only step 1), --clients (only step 2).
# The last line sums both: "Total: N passed, N failed, N skipped".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

mode="${1:-all}"
status=0
passed=0; failed=0; skipped=0

if [ "$mode" = "all" ] || [ "$mode" = "--unit" ]; then
  find "$ROOT" -path '*/target/surefire-reports' -prune -exec rm -rf {} + 2>/dev/null
  # Intel ISA-L, so the native erasure codec's tests run (they are skipped without it); best effort
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && ! dpkg -s libisal2 >/dev/null 2>&1; then
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libisal2 \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libisal2; }; } >/dev/null 2>&1 \
      || echo "unit tests: could not install libisal2; the ISA-L erasure codec tests will be skipped"
  fi
  # kura-console's build runs Debian's npm (npm ci, tsc, vite build)
  if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "unit tests: installing nodejs and npm (apt-get) for the web console's build"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }; } >/dev/null 2>&1 \
      || echo "unit tests: could not install nodejs and npm; the build of kura-console will fail"
  fi
  mvn -B -ntp -Dstyle.color=never verify || status=1
  # the server the client tests start must be this build
  [ -d "$ROOT/kura-server/target/lib" ] && touch "$ROOT/kura-server/target/lib/.kura-build-stamp"
  read -r t f e s < <(cat "$ROOT"/*/target/surefire-reports/TEST-*.xml 2>/dev/null | awk '
    /<testsuite / {
      match($0, / tests="[0-9]+"/);    t += substr($0, RSTART + 8, RLENGTH - 9)
      match($0, / failures="[0-9]+"/); f += substr($0, RSTART + 11, RLENGTH - 12)
      match($0, / errors="[0-9]+"/);   e += substr($0, RSTART + 9, RLENGTH - 10)
      match($0, / skipped="[0-9]+"/);  s += substr($0, RSTART + 10, RLENGTH - 11)
    }
    END { print t + 0, f + 0, e + 0, s + 0 }')
  passed=$((passed + t - f - e - s)); failed=$((failed + f + e)); skipped=$((skipped + s))
fi

if [ "$status" -eq 0 ] && { [ "$mode" = "all" ] || [ "$mode" = "--clients" ]; }; then
  counts="$(mktemp)"
  KURA_CLIENT_COUNTS="$counts" "$ROOT/scripts/client-tests.sh" || status=1
  if read -r cp cf < "$counts"; then passed=$((passed + cp)); failed=$((failed + cf)); fi
  rm -f "$counts"
fi

echo "Total: $passed passed, $failed failed, $skipped skipped"
exit "$status"
