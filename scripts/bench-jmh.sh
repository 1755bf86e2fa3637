#!/usr/bin/env bash
# The JMH micro-benchmarks of Kura's hot paths (kura-bench/src/main/java/dev/kura/bench/jmh):
# SigV4 verification, ListObjectsV2 XML rendering, request parsing and routing, checksums
# (MD5, SHA-256, CRC32, CRC32C, CRC64NVME), index key encoding. Not part of the test suite.
#
#   scripts/bench-jmh.sh                 all of them (about 2 minutes on 2 cores)
#   scripts/bench-jmh.sh Checksum        those whose name matches a regex
#   scripts/bench-jmh.sh -l              any JMH flags (-l lists, -h helps, -rf json -rff out.json, ...)
# On a shared machine: flock /tmp/kura-mvn.lock scripts/bench-jmh.sh
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/../kura" bench jmh "$@"
