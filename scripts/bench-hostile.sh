#!/usr/bin/env bash
# The "hostile clients" run of docs/BENCHMARKS.md: the mixed 16 KiB workload alone, then beside N
# hostile clients (default 1000), each on a fresh server with the launcher's JVM flags; repeated
# PAIRS times (default 3), alternating, because one pair on a shared 2-core machine is mostly noise.
#   scripts/bench-hostile.sh [N] [OUTDIR] [PAIRS]
# Prints each pair's throughput kept under attack and the median of the pairs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-1000}"
OUT="${2:-$(mktemp -d /tmp/kura-hostile.XXXXXX)}"
PAIRS="${3:-3}"
mkdir -p "$OUT"
export KURA_ACCESS_KEY="${KURA_ACCESS_KEY:-benchaccesskey01}" KURA_SECRET_KEY="${KURA_SECRET_KEY:-benchsecretkey0123456789abcdef}"
"$ROOT/kura" --help >/dev/null # builds first if the build is stale, so no run pays for it
ratios=()
for pair in $(seq 1 "$PAIRS"); do
  for run in alone hostile; do
    tag="$run-$pair"
    rm -rf "$OUT/data"
    "$ROOT/kura" server --data "$OUT/data" --address 127.0.0.1:9400 --admin-address 127.0.0.1:9401 --access-log off \
      > "$OUT/server-$tag.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 120); do curl -s -o /dev/null http://127.0.0.1:9401/health/ready && break; sleep 0.5; done
    extra=(); [ "$run" = hostile ] && extra=(--hostile "$N")
    ( sleep 20; curl -s -o /dev/null -w "health during the run: %{http_code} in %{time_total}s\n" \
        http://127.0.0.1:9401/health/ready ) > "$OUT/health-$tag.txt" &
    "$ROOT/kura" bench mixed --endpoint http://127.0.0.1:9400 --size 16KiB --duration 30 --concurrency 16 \
      --server-pid "$pid" "${extra[@]}" --json > "$OUT/bench-$tag.txt" 2>&1
    curl -s http://127.0.0.1:9401/metrics | grep -E '^kura_http_(outbound_evictions|penalties|penalty_refusals)_total' \
      > "$OUT/metrics-$tag.txt" || true
    kill "$pid"; wait "$pid" || true
    echo "== $tag"; grep -v '^{' "$OUT/bench-$tag.txt" | tail -11; cat "$OUT/health-$tag.txt" "$OUT/metrics-$tag.txt"
  done
  alone=$(awk '$1 == "total" {print $3}' "$OUT/bench-alone-$pair.txt")
  hostile=$(awk '$1 == "total" {print $3}' "$OUT/bench-hostile-$pair.txt")
  ratios+=("$(awk -v a="$alone" -v h="$hostile" 'BEGIN {printf "%.0f", 100 * h / a}')")
  echo "pair $pair: $alone ops/s alone, $hostile beside $N hostile clients: ${ratios[-1]} % kept"
done
echo "kept per pair: ${ratios[*]} (%); median $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}') %"
echo "results in $OUT"
