#!/usr/bin/env bash
# A three-node local cluster beside one node, on this machine: the cost per operation of replication.
# One node: three drives in one process, erasure coding 2+1. Cluster: `kura cluster up --nodes 3`, one
# drive per node (127.0.0.2-4), 2+1 across the nodes, the index replicated by Raft. The generator talks
# to one endpoint (the first node) with the same workloads; every process shares the same two cores.
# Cells keep their objects (--no-cleanup): a cell's deletes would go on in the background (the cluster's
# sweeper frees shards on three nodes) and slow the next cell; each server is thrown away at the end.
#
#   scripts/bench-cluster.sh [SECONDS]     (default 10; writes the generator's lines to stdout)
# (on a shared machine: flock /tmp/kura-mvn.lock scripts/bench-cluster.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
SECS="${1:-10}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kura-bench-cluster.XXXXXX")"
KURA_PID=""; CLUSTER_PID=""
cleanup() { stop_pid "$KURA_PID"; stop_pid "$CLUSTER_PID"; sleep 1; rm -rf "$WORK"; }
trap cleanup EXIT
bench_build
machine_info "$WORK"

workloads() { # ENDPOINT AK SK LABEL
  local e="$1" ak="$2" sk="$3" label="$4"
  # An unmeasured minute-fraction first: fresh JVMs (three of them for the cluster, on two cores) are
  # still compiling, and the first cell would measure the JIT rather than the system.
  bench mixed --endpoint "$e" --access-key "$ak" --secret-key "$sk" --size 4KiB --concurrency 8 \
    --duration 10 --warmup 0 --label "$label-warm" >/dev/null 2>&1 || true
  for w in "put 4KiB 16" "get 4KiB 16" "put 16MiB 4" "get 16MiB 4"; do
    set -- $w
    bench "$1" --endpoint "$e" --access-key "$ak" --secret-key "$sk" --size "$2" --concurrency "$3" \
      --duration "$SECS" --warmup 2 --no-cleanup --label "$label" 2>&1 | grep -A1 -E "ops/s|^errors" | grep -v -- "^--" \
      | sed "s/^/$label $1 $2 c$3: /" || true
  done
}

port="$(free_port)"
KURA_DRIVES=3 KURA_EC=2+1 start_kura "$port" "$WORK/single"
workloads "http://127.0.0.1:$port" "$BENCH_ACCESS_KEY" "$BENCH_SECRET_KEY" "one-node"
stop_pid "$KURA_PID"; KURA_PID=""

s3port="$(free_port)"
start_cluster 3 "$WORK/cluster" "$s3port"
workloads "http://127.0.0.2:$s3port" "$CLUSTER_AK" "$CLUSTER_SK" "3-node-cluster"
