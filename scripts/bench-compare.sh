#!/usr/bin/env bash
# Kura vs S3Proxy, side by side, in one run on this machine, plus the machine's limits.
#
#   scripts/bench-compare.sh [OUTDIR]              (on a shared machine: flock /tmp/kura-mvn.lock scripts/bench-compare.sh)
#
# 1. builds kura-server and kura-bench; fetches org.gaul:s3proxy (jar-with-dependencies) from Maven Central;
# 2. measures the limits: loopback TCP (kura bench limits, and iperf3 when installed), disk write+fsync,
#    small fsyncs, O_DIRECT read, MD5/SHA-256 per core;
# 3. starts Kura (the launcher's JVM flags) and S3Proxy (filesystem backend) on loopback, fresh for each cell, and runs
#    PUT and GET at 4 KiB, 1 MiB and 64 MiB, concurrency 1 and 16, and LIST of 10,000 keys against each,
#    the two servers alternating cell by cell; unsigned payloads (UNSIGNED-PAYLOAD) throughout; objects are
#    left in place (both data directories are deleted at the end: S3Proxy's deletes are slow enough, ~10 ms
#    each, to dominate the run's time otherwise);
# 4. writes OUTDIR/cells.jsonl (one generator JSON line per run), limits.json, machine.txt, and the
#    Markdown tables (OUTDIR/report.md) that docs/BENCHMARKS.md quotes.
# Durations: DURATION (small objects, default 6 s), LARGE_DURATION (64 MiB, default 12 s), WARMUP (2 s).
# SIZES and CONCURRENCIES (default "4KiB 1MiB 64MiB" and "1 16") narrow a run, e.g. for a quick check;
# KURA_DRIVES=6 KURA_EC=4+2 runs Kura on six drives in three zones (all on this one disk).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

OUT="${1:-/tmp/kura-bench-$(date +%Y%m%d-%H%M%S)}"
DURATION="${DURATION:-6}"
LARGE_DURATION="${LARGE_DURATION:-12}"
WARMUP="${WARMUP:-2}"
SIZES="${SIZES:-4KiB 1MiB 64MiB}"
CONCURRENCIES="${CONCURRENCIES:-1 16}"
mkdir -p "$OUT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kura-bench-work.XXXXXX")"
KURA_PID=""; S3PROXY_PID=""
cleanup() { stop_pid "$KURA_PID"; stop_pid "$S3PROXY_PID"; rm -rf "$WORK"; }
trap cleanup EXIT

bench_build
JAR="$(fetch_s3proxy "$HOME/.cache/kura-bench")"
machine_info "$WORK" | tee "$OUT/machine.txt" >&2

log "limits"
bench limits --dir "$WORK" --disk-size 1GiB --seconds 3 --json | tee "$OUT/limits.txt" | tail -1 >"$OUT/limits.json"
if command -v iperf3 >/dev/null; then
  iperf3 -s -1 -B 127.0.0.1 -p 5299 >/dev/null 2>&1 & sleep 0.5
  iperf3 -c 127.0.0.1 -p 5299 -t 3 -f m 2>&1 | grep -E 'receiver' | tee "$OUT/iperf3.txt" >&2 || true
fi
dd if=/dev/zero of="$WORK/dd.bin" bs=1M count=1024 oflag=direct conv=fsync 2>&1 | tail -1 | tee "$OUT/dd-write.txt" >&2
dd if="$WORK/dd.bin" of=/dev/null bs=1M iflag=direct 2>&1 | tail -1 | tee "$OUT/dd-read.txt" >&2
rm -f "$WORK/dd.bin"
(openssl speed -seconds 2 -bytes 1048576 -evp md5 2>/dev/null; openssl speed -seconds 2 -bytes 1048576 -evp sha256 2>/dev/null) \
  | grep -E '^(md5|sha256) ' | tee "$OUT/openssl.txt" >&2 || true

export KURA_ACCESS_KEY="$BENCH_ACCESS_KEY" KURA_SECRET_KEY="$BENCH_SECRET_KEY"
# Each cell gets freshly started servers (data directories kept from cell to cell), both treated alike:
# Kura leaks a pooled direct buffer per PUT at this commit and stops accepting PUT bodies after ~25,000
# PUTs (see docs/BENCHMARKS.md), so one long-lived Kura cannot carry the whole table.
cell() { # SERVER WORKLOAD SIZE CONC DURATION [more generator flags]
  local server="$1" workload="$2" size="$3" conc="$4" dur="$5"; shift 5
  local port pid; port="$(free_port)"
  if [ "$server" = kura ]; then start_kura "$port" "$WORK/kura"; pid="$KURA_PID"
  else start_s3proxy "$JAR" "$port" "$WORK/s3proxy"; pid="$S3PROXY_PID"; fi
  log "$server $workload $size c$conc (${dur}s)"
  bench "$workload" --endpoint "http://127.0.0.1:$port" --size "$size" --concurrency "$conc" --duration "$dur" \
    --warmup "$WARMUP" --server-pid "$pid" --label "$server" --no-cleanup --json "$@" >"$WORK/run.txt" 2>&1 || true
  cat "$WORK/run.txt" >>"$OUT/runs.txt"
  if tail -1 "$WORK/run.txt" | grep -q '^{'; then tail -1 "$WORK/run.txt" >>"$OUT/cells.jsonl"
  else log "$server $workload $size c$conc failed: $(grep -v '^\s*at ' "$WORK/run.txt" | tail -2 | tr '\n' ' ')"; fi
  if [ "$server" = kura ]; then stop_pid "$KURA_PID"; KURA_PID=""; cp "$WORK/kura/kura.log" "$OUT/kura-last.log"
  else stop_pid "$S3PROXY_PID"; S3PROXY_PID=""; fi
}

: >"$OUT/cells.jsonl"
for size in $SIZES; do
  dur="$DURATION"; [ "$size" = 64MiB ] && dur="$LARGE_DURATION"
  for conc in $CONCURRENCIES; do
    for workload in put get; do
      cell kura "$workload" "$size" "$conc" "$dur"
      cell s3proxy "$workload" "$size" "$conc" "$dur"
    done
  done
done
# LIST: 10,000 empty objects in a bucket of their own, listed in pages of 1,000 by one worker, over and over
cell kura list 0 1 "$DURATION" --objects 10000 --prepare-concurrency 64 --bucket kura-bench-list
cell s3proxy list 0 1 "$DURATION" --objects 10000 --prepare-concurrency 64 --bucket kura-bench-list

bench compare-report "$OUT" >"$OUT/report.md"
cat "$OUT/report.md"
log "results in $OUT"
