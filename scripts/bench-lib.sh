# Shared by scripts/bench-*.sh (sourced, not run): builds, starts and stops the servers under test.
# Nothing here takes /tmp/kura-mvn.lock: on a shared machine, run the calling script under it
# (`flock /tmp/kura-mvn.lock scripts/bench-compare.sh`) so no build shares the cores with a measurement.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
S3PROXY_VERSION="${S3PROXY_VERSION:-3.1.0}"
BENCH_ACCESS_KEY="${BENCH_ACCESS_KEY:-benchaccesskey0001}"
BENCH_SECRET_KEY="${BENCH_SECRET_KEY:-bench/secret/key/0123456789abcdefgh}"
# The server's JVM flags are the launcher's (./kura server), so what is measured is what users run.
read -r -a KURA_JVM_FLAGS < <(grep -v '^#' "$(dirname "${BASH_SOURCE[0]}")/server-jvm-flags")  # the launcher's flags
# S3Proxy gets the same heap ceiling; its own default collector (G1).
S3PROXY_JVM_FLAGS=(-Xmx1g)

find_jdk25() {
  local c
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/java-2[5-9]* /usr/lib/jvm/jdk-2[5-9]*; do
    [ -n "$c" ] && [ -x "$c/bin/javac" ] || continue
    local v; v=$("$c/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1)
    if [ "${v:-0}" -ge 25 ] 2>/dev/null; then echo "$c"; return 0; fi
  done
  return 1
}
JDK25="$(find_jdk25)" || { echo "bench: no JDK >= 25 found" >&2; exit 1; }
export JAVA_HOME="$JDK25"
# S3Proxy 3.x is built for Java 17; prefer a JDK 17 or 21 when one is installed, else the JDK 25.
S3PROXY_JAVA="$JDK25/bin/java"
for c in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64 /usr/lib/jvm/temurin-17* /usr/lib/jvm/temurin-21*; do
  if [ -x "$c/bin/java" ]; then S3PROXY_JAVA="$c/bin/java"; break; fi
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Builds kura-server and kura-bench (skipping tests) and marks both fresh for the launcher.
bench_build() {
  log "building kura-server and kura-bench"
  (cd "$ROOT" && mvn -B -q -ntp -Dstyle.color=never -DskipTests package -pl kura-server,kura-bench -am) >&2
  touch "$ROOT/kura-server/target/lib/.kura-build-stamp" "$ROOT/kura-bench/target/lib/.kura-build-stamp"
}

# The generator, straight from the built jars (no staleness check in the middle of a measurement).
bench() {
  "$JDK25/bin/java" -XX:+UseParallelGC -Xms256m -Xmx1g \
    -cp "$ROOT/kura-bench/target/kura-bench.jar:$ROOT/kura-bench/target/lib/*" dev.kura.bench.cli.BenchMain "$@"
}

free_port() {
  python3 - <<'EOF' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
EOF
}

wait_http() { # URL PID LOGFILE
  local i
  for i in $(seq 1 120); do
    if curl -s -o /dev/null "$1"; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then echo "bench: server exited; its log:" >&2; tail -30 "$3" >&2; return 1; fi
    sleep 0.25
  done
  echo "bench: server at $1 did not answer in 30 s" >&2; return 1
}

# start_kura PORT DATADIR [extra JVM flags...]: sets KURA_PID.
# KURA_DRIVES=N (N > 1) gives Kura N drives under DATADIR in N/2 zones (two per zone), KURA_EC=K+M a layout.
# Throughput runs lift the per-partition request budgets (S3's 3,500 writes / 5,500 reads a second per
# partition would throttle one bucket before it splits); KURA_PARTITION_RATE=N sets them (e.g. 5500 to
# measure with S3's own budgets).
start_kura() {
  local port="$1" data="$2"; shift 2
  mkdir -p "$data"
  local drives=() i
  if [ "${KURA_DRIVES:-1}" -gt 1 ]; then
    for i in $(seq 0 $((KURA_DRIVES - 1))); do drives+=(--drive "$data/drive$i,zone=z$((i / 2))"); done
    [ -n "${KURA_EC:-}" ] && drives+=(--ec "$KURA_EC")
  fi
  KURA_ACCESS_KEY="$BENCH_ACCESS_KEY" KURA_SECRET_KEY="$BENCH_SECRET_KEY" \
    "$JDK25/bin/java" "${KURA_JVM_FLAGS[@]}" "$@" \
    -cp "$ROOT/kura-server/target/kura-server.jar:$ROOT/kura-server/target/lib/*" dev.kura.server.Main server \
    --address "127.0.0.1:$port" --admin-address "127.0.0.1:$(free_port)" --data "$data/kura-data" "${drives[@]}" \
    --partition-read-rate "${KURA_PARTITION_RATE:-1000000}" --partition-write-rate "${KURA_PARTITION_RATE:-1000000}" \
    >"$data/kura.log" 2>&1 &
  KURA_PID=$!
  wait_http "http://127.0.0.1:$port/" "$KURA_PID" "$data/kura.log"
  log "Kura pid $KURA_PID on 127.0.0.1:$port"
}

# Fetches the S3Proxy jar-with-dependencies from Maven Central (cached in ~/.m2) into DIR; prints its path.
fetch_s3proxy() {
  local dir="$1"
  mkdir -p "$dir"
  (cd "$dir" && mvn -B -q -ntp org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" -DoutputDirectory="$dir") >&2
  echo "$dir/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"
}

# start_s3proxy JAR PORT DATADIR: filesystem backend under DATADIR; sets S3PROXY_PID.
start_s3proxy() {
  local jar="$1" port="$2" data="$3"
  mkdir -p "$data/s3proxy-data"
  cat >"$data/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$BENCH_ACCESS_KEY
s3proxy.credential=$BENCH_SECRET_KEY
jclouds.provider=filesystem
jclouds.filesystem.basedir=$data/s3proxy-data
EOF
  "$S3PROXY_JAVA" "${S3PROXY_JVM_FLAGS[@]}" -jar "$jar" --properties "$data/s3proxy.properties" >"$data/s3proxy.log" 2>&1 &
  S3PROXY_PID=$!
  wait_http "http://127.0.0.1:$port/" "$S3PROXY_PID" "$data/s3proxy.log"
  log "S3Proxy $S3PROXY_VERSION pid $S3PROXY_PID on 127.0.0.1:$port ($("$S3PROXY_JAVA" -version 2>&1 | head -1))"
}

stop_pid() {
  [ -n "${1:-}" ] || return 0
  kill "$1" 2>/dev/null || true
  local i
  for i in $(seq 1 40); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.25; done
  kill -9 "$1" 2>/dev/null || true
}

# A description of this machine for the results.
machine_info() {
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "disk: $(df -hT "${1:-/tmp}" | awk 'NR==2 {print $1 " " $2 " " $3}') (rotational=$(cat /sys/block/"$(basename "$(df "${1:-/tmp}" | awk 'NR==2 {print $1}')")"/queue/rotational 2>/dev/null || echo '?'))"
  echo "kernel: $(uname -r)"
  echo "jdk (Kura, generator): $("$JDK25/bin/java" -version 2>&1 | head -1)"
  echo "jdk (S3Proxy): $("$S3PROXY_JAVA" -version 2>&1 | head -1)"
  echo "kura commit: $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null)$(cd "$ROOT" && [ -n "$(git status --porcelain 2>/dev/null)" ] && echo ' (with uncommitted changes)')"
}

# Starts `kura cluster up --nodes N` in DIR with S3 on PORT (admin on PORT+1) and waits until every node
# (127.0.0.2 onwards) is ready; sets CLUSTER_PID, CLUSTER_AK and CLUSTER_SK (its root credentials).
start_cluster() { # NODES DIR PORT
  local nodes="$1" dir="$2" port="$3" n i
  "$JDK25/bin/java" "${KURA_JVM_FLAGS[@]}" -cp "$ROOT/kura-server/target/kura-server.jar:$ROOT/kura-server/target/lib/*" \
    dev.kura.server.Main cluster up --nodes "$nodes" --data "$dir" --s3-port "$port" -- --access-log off \
    --partition-read-rate 1000000 --partition-write-rate 1000000 >"$dir-up.log" 2>&1 &
  CLUSTER_PID=$!
  for n in $(seq 2 $((nodes + 1))); do
    for i in $(seq 1 300); do
      [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.$n:$((port + 1))/health/ready")" = 200 ] && break
      sleep 0.5
    done
  done
  CLUSTER_AK="$(sed -n 's/^access_key=//p' "$dir/credentials")"
  CLUSTER_SK="$(sed -n 's/^secret_key=//p' "$dir/credentials")"
}
