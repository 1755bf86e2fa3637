#!/usr/bin/env bash
# Small objects through every node of a five-node local cluster (`kura cluster up --nodes 5`, one zone and
# one drive per node, 2+1): through the leader of the bucket's data group, through a follower holding a
# replica of it, and through a node holding none (its reads go to the leader). Prints `kura admin nodes`
# first (which node holds and leads which group), then one line per node and cell.
#
#   scripts/bench-cluster-nodes.sh [SECONDS]     (default 8)
# (on a shared machine: flock /tmp/kura-mvn.lock scripts/bench-cluster-nodes.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
SECS="${1:-8}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kura-bench-nodes.XXXXXX")"
CLUSTER_PID=""
cleanup() { stop_pid "$CLUSTER_PID"; sleep 1; rm -rf "$WORK"; }
trap cleanup EXIT
bench_build
machine_info "$WORK"

s3port="$(free_port)"
start_cluster 5 "$WORK/cluster" "$s3port"
ak="$CLUSTER_AK"; sk="$CLUSTER_SK"
sleep 15 # the data groups shrink to three replicas, the leaderships spread
KURA_ACCESS_KEY="$ak" KURA_SECRET_KEY="$sk" "$JDK25/bin/java" \
  -cp "$ROOT/kura-server/target/kura-server.jar:$ROOT/kura-server/target/lib/*" dev.kura.server.Main admin \
  --endpoint "http://127.0.0.2:$((s3port + 1))" nodes
for n in 2 3 4 5 6; do
  for w in "put 4KiB 1" "get 4KiB 1" "get 4KiB 16"; do
    set -- $w
    bench "$1" --endpoint "http://127.0.0.$n:$s3port" --access-key "$ak" --secret-key "$sk" --size "$2" \
      --concurrency "$3" --duration "$SECS" --warmup 2 --no-cleanup --bucket probe 2>&1 \
      | grep -E "^(PUT|GET) " | sed "s/^/node 127.0.0.$n $1 $2 c$3: /" || true
  done
done
