#!/usr/bin/env bash
# Does the sweeper keep up? Drives the fastest delete-heavy workload the generator has (mixed: half
# PUTs of new keys, half DELETEs of them) against a fresh Kura and samples the sweeper's backlog and
# removals from /metrics every 2 s, during the load and after it, until the backlog is empty.
#
#   scripts/bench-sweeper.sh [SIZE] [SECONDS] [extra kura server flags...]   (default 256KiB 30)
# (on a shared machine: flock /tmp/kura-mvn.lock scripts/bench-sweeper.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
SIZE="${1:-256KiB}"; SECONDS_RUN="${2:-30}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kura-sweeper.XXXXXX")"
KURA_PID=""
cleanup() { stop_pid "$KURA_PID"; rm -rf "$WORK"; }
trap cleanup EXIT
bench_build
export KURA_ACCESS_KEY="$BENCH_ACCESS_KEY" KURA_SECRET_KEY="$BENCH_SECRET_KEY"
port="$(free_port)"; admin="$(free_port)"
mkdir -p "$WORK/kura"
KURA_ACCESS_KEY="$BENCH_ACCESS_KEY" KURA_SECRET_KEY="$BENCH_SECRET_KEY" \
  "$JDK25/bin/java" "${KURA_JVM_FLAGS[@]}" \
  -cp "$ROOT/kura-server/target/kura-server.jar:$ROOT/kura-server/target/lib/*" dev.kura.server.Main server \
  --address "127.0.0.1:$port" --admin-address "127.0.0.1:$admin" --data "$WORK/kura/kura-data" --access-log off \
  --partition-read-rate 1000000 --partition-write-rate 1000000 "${@:3}" >"$WORK/kura/kura.log" 2>&1 &
KURA_PID=$!
wait_http "http://127.0.0.1:$port/" "$KURA_PID" "$WORK/kura/kura.log"
sample() {
  local m; m="$(curl -s "http://127.0.0.1:$admin/metrics")"
  printf '%s backlog=%s removed=%s data_files=%s\n' "$(date +%T)" \
    "$(awk '/^kura_sweeper_backlog /{print $2}' <<<"$m")" "$(awk '/^kura_sweeper_removed_total /{print $2}' <<<"$m")" \
    "$(find "$WORK/kura/kura-data/drive0/data" -type f 2>/dev/null | wc -l)"
}
( while kill -0 "$KURA_PID" 2>/dev/null; do sample; sleep 2; done ) &
SAMPLER=$!
bench mixed --endpoint "http://127.0.0.1:$port" --size "$SIZE" --concurrency 16 --duration "$SECONDS_RUN" \
  --mix put=50,delete=50 --objects 16 --no-cleanup 2>&1 | tail -8 || true
log "load done; waiting for the backlog to drain"
for i in $(seq 1 30); do
  b="$(curl -s "http://127.0.0.1:$admin/metrics" | awk '/^kura_sweeper_backlog /{print $2}')"
  [ "${b%.*}" = "0" ] && break
  sleep 1
done
sleep 2
kill "$SAMPLER" 2>/dev/null || true
log "after the load: $(sample)"
