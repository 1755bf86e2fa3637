#!/usr/bin/env bash
# Profiles Kura under one benchmark cell with Java Flight Recorder and summarises where the CPU went.
#
#   scripts/bench-profile.sh WORKLOAD SIZE CONCURRENCY [DURATION] [more generator flags]
#   e.g. scripts/bench-profile.sh get 64MiB 16 12
# (on a shared machine: flock /tmp/kura-mvn.lock scripts/bench-profile.sh ...)
#
# Starts a fresh Kura (the launcher's JVM flags), runs the generator, records JFR ("profile" settings:
# Java samples every 10 ms, plus native-method samples) during the measured part only (after the
# prepared objects are uploaded), and prints `kura bench jfr-summary` of it. Keeps OUTDIR
# (PROFILE_OUT, default /tmp/kura-profile-...) with the .jfr file and the generator's output.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
[ $# -ge 3 ] || { sed -n '2,12p' "$0"; exit 2; }
WORKLOAD="$1" SIZE="$2" CONC="$3" DUR="${4:-10}"; shift $(( $# >= 4 ? 4 : 3 ))
OUT="${PROFILE_OUT:-/tmp/kura-profile-$WORKLOAD-$SIZE-c$CONC-$(date +%H%M%S)}"
mkdir -p "$OUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kura-profile-work.XXXXXX")"
KURA_PID=""
cleanup() { stop_pid "$KURA_PID"; rm -rf "$WORK"; }
trap cleanup EXIT

[ -f "$ROOT/kura-bench/target/kura-bench.jar" ] && [ -f "$ROOT/kura-server/target/kura-server.jar" ] || bench_build
PORT="$(free_port)"
start_kura "$PORT" "$WORK"
export KURA_ACCESS_KEY="$BENCH_ACCESS_KEY" KURA_SECRET_KEY="$BENCH_SECRET_KEY"
bench "$WORKLOAD" --endpoint "http://127.0.0.1:$PORT" --size "$SIZE" --concurrency "$CONC" --duration "$DUR" \
  --warmup 2 --server-pid "$KURA_PID" --no-cleanup --json "$@" >"$OUT/bench.txt" 2>&1 &
BENCH=$!
# get, mixed and list upload their objects first: start recording once that is done
case "$WORKLOAD" in
  get|mixed|list)
    for _ in $(seq 1 1500); do
      grep -q '^prepared' "$OUT/bench.txt" 2>/dev/null && break
      kill -0 $BENCH 2>/dev/null || break
      sleep 0.2
    done ;;
esac
"$JDK25/bin/jcmd" "$KURA_PID" JFR.start name=bench settings=profile >/dev/null
wait $BENCH || true
"$JDK25/bin/jcmd" "$KURA_PID" JFR.dump name=bench filename="$OUT/kura.jfr" >/dev/null
"$JDK25/bin/jcmd" "$KURA_PID" JFR.stop name=bench >/dev/null
tail -8 "$OUT/bench.txt"
bench jfr-summary "$OUT/kura.jfr" --top 15 | tee "$OUT/summary.txt"
bench jfr-summary "$OUT/kura.jfr" --top 15 --native > "$OUT/summary-with-native.txt"
log "profile in $OUT"
