#!/usr/bin/env bash
# Kura's resident memory (RSS: heap, direct buffers, code, RocksDB, everything) under large transfers:
# a 5 GiB PUT, a 5 GiB GET, a 10 GiB multipart upload (64 MiB parts, 4 in flight) and 256 concurrent
# 1 MiB PUTs. The target is a peak under 768 MiB in each. Each scenario gets a freshly started Kura (the
# launcher's JVM flags), so no scenario inherits another's heap; the peak is the kernel's own high-water
# mark (VmHWM) over the whole scenario, preparation included, beside the generator's once-a-second
# samples during the measured part.
#
#   scripts/bench-memory.sh [OUTDIR]      (on a shared machine: flock /tmp/kura-mvn.lock scripts/bench-memory.sh)
# Needs about 16 GiB free on the temp disk for a moment; takes 3-5 minutes here.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
OUT="${1:-/tmp/kura-memory-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kura-memory-work.XXXXXX")"
KURA_PID=""
cleanup() { stop_pid "$KURA_PID"; rm -rf "$WORK"; }
trap cleanup EXIT

[ -f "$ROOT/kura-bench/target/kura-bench.jar" ] && [ -f "$ROOT/kura-server/target/kura-server.jar" ] || bench_build
export KURA_ACCESS_KEY="$BENCH_ACCESS_KEY" KURA_SECRET_KEY="$BENCH_SECRET_KEY"
rss() { awk -v k="$1:" '$1 == k {print int($2 / 1024)}' "/proc/$KURA_PID/status"; }

scenario() { # NAME generator-args...
  local name="$1"; shift
  local port; port="$(free_port)"
  rm -rf "$WORK/kura"
  start_kura "$port" "$WORK/kura"
  log "$name (RSS at start: $(rss VmRSS) MiB)"
  bench "$@" --endpoint "http://127.0.0.1:$port" --warmup 0 --server-pid "$KURA_PID" --label kura --no-cleanup --json \
    >"$OUT/$name.txt" 2>&1 || true
  local peak; peak="$(rss VmHWM)"
  local line; line="$(tail -1 "$OUT/$name.txt")"
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$peak" \
    "$(jq -r '.server_rss_max_mib | floor' <<<"$line" 2>/dev/null || echo '?')" \
    "$(jq -r '"\(.ops) ops, \(.mib_per_s|floor) MiB/s, errors \(.errors_by_code)"' <<<"$line" 2>/dev/null || echo "$line")" \
    "$( [ "$peak" -lt 768 ] && echo met || echo '**missed**')" | tee -a "$OUT/memory.md"
  stop_pid "$KURA_PID"; KURA_PID=""
  cp "$WORK/kura/kura.log" "$OUT/$name.kura.log"
}

echo "| scenario | peak RSS, whole scenario (MiB) | max RSS sampled while measured (MiB) | generator result | < 768 MiB |" >"$OUT/memory.md"
echo "|---|---:|---:|---|---|" >>"$OUT/memory.md"
scenario put-5GiB put --size 5GiB --concurrency 1 --ops 1 --duration 300
scenario get-5GiB get --size 5GiB --objects 1 --concurrency 1 --ops 2 --duration 300
scenario multipart-10GiB multipart --size 10GiB --part-size 64MiB --parts-in-flight 4 --concurrency 1 --ops 1 --duration 300
scenario put-1MiB-c256 put --size 1MiB --concurrency 256 --duration 15
cat "$OUT/memory.md"
log "results in $OUT"
