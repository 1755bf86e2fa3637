#!/usr/bin/env bash
# Real S3 clients from Debian against a real `./kura server` process on loopback, and a real browser
# (headless chromium) uploading through a presigned POST form from another origin and using the web
# console on the admin port (clients/browser_console.sh).
# Installs what it needs (awscli, python3-boto3, chromium, ...) when run as root; otherwise says what is missing.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

need_pkgs=()
[ -x /usr/bin/aws ] || need_pkgs+=(awscli)
/usr/bin/python3 -c 'import boto3' >/dev/null 2>&1 || need_pkgs+=(python3-boto3)
[ -x /usr/bin/rclone ] || need_pkgs+=(rclone)
[ -x /usr/bin/s3cmd ] || need_pkgs+=(s3cmd)
[ -x /usr/bin/s3fs ] || need_pkgs+=(s3fs)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
# the browser test (clients/browser_cors_post.sh): Debian's chromium, driven by playwright-core from npm
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
command -v node >/dev/null 2>&1 || need_pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || need_pkgs+=(npm)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "client tests: installing ${need_pkgs[*]} (apt-get)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}") >/dev/null 2>&1 \
      || { echo "client tests: apt-get install ${need_pkgs[*]} failed"; exit 1; }
  else
    echo "client tests: missing ${need_pkgs[*]}; install them (apt-get install ${need_pkgs[*]}) or run as root"; exit 1
  fi
fi

WORK="$(mktemp -d)"
export KURA_ACCESS_KEY=KURACLIENTTEST0001 KURA_SECRET_KEY=client/test/secret/0123456789abcdefghijkl
SERVER=""
cleanup() { [ -n "$SERVER" ] && { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; }; rm -rf "$WORK"; }
trap cleanup EXIT

# start_server DIR [kura server flags...]: a fresh server on fresh ports; sets SERVER and KURA_ENDPOINT.
start_server() {
  local dir="$1"; shift
  PORT=$((20000 + RANDOM % 20000)); APORT=$((PORT + 1))
  mkdir -p "$dir"
  ./kura server --address "127.0.0.1:$PORT" --admin-address "127.0.0.1:$APORT" --data "$dir/data" "$@" >"$dir/server.log" 2>&1 &
  SERVER=$!
  SERVER_LOG="$dir/server.log"
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$APORT/health/ready" >/dev/null 2>&1 && break
    kill -0 "$SERVER" 2>/dev/null || { echo "client tests: server did not start"; cat "$dir/server.log"; exit 1; }
    sleep 0.2
  done
  curl -fs "http://127.0.0.1:$APORT/health/ready" >/dev/null || { echo "client tests: server not ready"; cat "$dir/server.log"; exit 1; }
  export KURA_ENDPOINT="http://127.0.0.1:$PORT" KURA_ADMIN_ENDPOINT="http://127.0.0.1:$APORT"
  export WORK="$dir/work"; mkdir -p "$WORK"   # each server's clients get fresh scratch files (aws s3 sync skips same-size files)
}
stop_server() { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; SERVER=""; }

export HOME="$WORK/home"; mkdir -p "$HOME"   # clients write their config (aws configure) here, not in the user's home
export AWS_ACCESS_KEY_ID=$KURA_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$KURA_SECRET_KEY AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true BOTO_DISABLE_CRT=true
passed=0; failed=0
run() {
  local name=$1; shift
  if out=$("$@" 2>&1); then passed=$((passed + 1)); echo "  ok   $name"
  else failed=$((failed + 1)); echo "  FAIL $name"; echo "$out" | tail -20 | sed 's/^/       /'
    echo "--- server log ---"; tail -50 "$SERVER_LOG"; fi
}
suite() { # LABEL FILES...
  local label="$1" t; shift
  for t in "$@"; do
    [ -e "$t" ] || continue
    case "$t" in
      *.py) run "$(basename "$t")$label" /usr/bin/python3 "$t" ;;
      *.sh) run "$(basename "$t")$label" bash "$t" ;;
    esac
  done
}

# The default: one drive under --data.
# The default drive; lifecycle days last one 2-second pass, so boto3_protection.py sees rules act.
start_server "$WORK/one" --lifecycle-interval 2s --lifecycle-testing
suite "" "$ROOT"/clients/*.sh "$ROOT"/clients/*.py
stop_server
# Six drives in three zones, 4+2 erasure coding: the same clients over erasure-coded data.
six=(); for i in 0 1 2 3 4 5; do six+=(--drive "$WORK/six/drive$i,zone=z$((i / 2))"); done
start_server "$WORK/six" "${six[@]}" --ec 4+2
suite " (6 drives, 4+2)" "$ROOT"/clients/awscli.sh "$ROOT"/clients/rclone.sh "$ROOT"/clients/boto3_basic.py "$ROOT"/clients/boto3_breadth.py \
  "$ROOT"/clients/boto3_sse.py
stop_server

# Partitions that admit 20 writes a second and split after 2 s: clients must retry 503 SlowDown.
start_server "$WORK/tight" --partition-write-rate 20 --split-after 2
suite " (20 writes/s per partition)" "$ROOT"/clients/partitions/*.py
stop_server

echo "Client tests: $passed passed, $failed failed"
[ -n "${KURA_CLIENT_COUNTS:-}" ] && echo "$passed $failed" > "$KURA_CLIENT_COUNTS"
[ "$failed" -eq 0 ]
