#!/usr/bin/env bash
# The "hostile clients" run of docs/BENCHMARKS.md: the mixed 16 KiB workload alone, then beside N
# hostile clients (default 1000), each on a fresh server with the launcher's JVM flags.
#   scripts/bench-hostile.sh [N] [OUTDIR]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-1000}"
OUT="${2:-$(mktemp -d /tmp/kura-hostile.XXXXXX)}"
mkdir -p "$OUT"
export KURA_ACCESS_KEY="${KURA_ACCESS_KEY:-benchaccesskey01}" KURA_SECRET_KEY="${KURA_SECRET_KEY:-benchsecretkey0123456789abcdef}"
for run in alone hostile; do
  rm -rf "$OUT/data"
  "$ROOT/kura" server --data "$OUT/data" --address 127.0.0.1:9400 --admin-address 127.0.0.1:9401 --access-log off \
    > "$OUT/server-$run.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do curl -s -o /dev/null http://127.0.0.1:9401/health/ready && break; sleep 0.5; done
  extra=(); [ "$run" = hostile ] && extra=(--hostile "$N")
  ( sleep 20; curl -s -o /dev/null -w "health during the run: %{http_code} in %{time_total}s\n" \
      http://127.0.0.1:9401/health/ready ) > "$OUT/health-$run.txt" &
  "$ROOT/kura" bench mixed --endpoint http://127.0.0.1:9400 --size 16KiB --duration 30 --concurrency 16 \
    --server-pid "$pid" "${extra[@]}" --json > "$OUT/bench-$run.txt" 2>&1
  kill "$pid"; wait "$pid" || true
  echo "== $run"; grep -v '^{' "$OUT/bench-$run.txt" | tail -11; cat "$OUT/health-$run.txt"
done
echo "results in $OUT"
