#!/usr/bin/env bash
# The whole test suite, as `./kura test` runs it (the launcher has already put a JDK >= 25 on PATH):
#   1. every Maven module's tests: unit, in-process AWS SDK for Java v2, crash and process tests;
#   2. real third-party clients (Debian's awscli and python3-boto3) against a started `./kura server`.
# Options: --unit (only step 1), --clients (only step 2).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

mode="${1:-all}"
if [ "$mode" = "all" ] || [ "$mode" = "--unit" ]; then
  mvn -B -ntp verify
  # the server the client tests start must be this build
  touch "$ROOT/kura-server/target/lib/.kura-build-stamp"
fi
if [ "$mode" = "all" ] || [ "$mode" = "--clients" ]; then
  "$ROOT/scripts/client-tests.sh"
fi
