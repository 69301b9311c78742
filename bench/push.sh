#!/usr/bin/env bash
# Benchmark (issue 7): push a java17-sized image (the host's OpenJDK 17
# runtime tree, ~180 MB of files, one gzip layer) to a loopback
# docker-registry, cold (a fresh registry each run: every blob goes up) and
# warm (the same push again: every blob is present), against
# `skopeo copy` of the same layout in the same run. Prints medians of N runs
# (default 5) and ratios. Not a test: it asserts nothing, it measures.
# Usage: bench/push.sh [DISTILL_BINARY] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
distill=${1:-$here/../build/release/distill}
runs=${2:-5}
work=$(mktemp -d /tmp/distill-push-bench-XXXXXX)
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null || true; done; rm -rf "$work"' EXIT

jdk=$(readlink -f /usr/lib/jvm/java-17-openjdk-amd64 2>/dev/null || true)
[ -d "$jdk/lib" ] || { echo "needs openjdk-17-jre-headless (/usr/lib/jvm/java-17-openjdk-amd64)"; exit 1; }
mkdir -p "$work/ctx"
# -L follows links into /usr/share; dangling ones (src.zip without the sources) are skipped.
cp -rL "$jdk/lib" "$work/ctx/lib" 2>/dev/null || true
cat > "$work/ctx/distill.yaml" <<Y
files:
  - src: lib
    dst: /usr/lib/jvm/java-17-openjdk-amd64/lib
config:
  entrypoint: ["/usr/lib/jvm/java-17-openjdk-amd64/bin/java"]
check: false   # a tree of files to move, not an image to run (no bin/, no libc)
Y
"$distill" build --progress=none -f "$work/ctx/distill.yaml" -o "oci:$work/layout:v1" >/dev/null
size=$(du -sb "$work/layout/blobs" | cut -f1)

# start_registry: a fresh registry (new storage, new port) in $reg, so that
# no tool can skip or mount blobs from an earlier run (skopeo remembers blob
# locations per registry host:port in its blob-info cache).
start_registry() {
  [ -z "$pids" ] || { kill $pids; wait $pids 2>/dev/null || true; }
  local port
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  rm -rf "$work/data"
  cat > "$work/config.yml" <<Y
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/data}}
http: {addr: 127.0.0.1:$port}
Y
  docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
  pids="$!"
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  reg=127.0.0.1:$port
}

# seconds COMMAND...: wall time of one run.
seconds() {
  local t0 t1
  t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }

for i in $(seq "$runs"); do
  start_registry
  seconds "$distill" copy --tls-verify=false "oci:$work/layout:v1" "docker://$reg/bench/distill:v1" >> "$work/d_cold"
  seconds "$distill" copy --tls-verify=false "oci:$work/layout:v1" "docker://$reg/bench/distill:v1" >> "$work/d_warm"
  start_registry
  seconds skopeo copy -q --dest-tls-verify=false "oci:$work/layout:v1" "docker://$reg/bench/skopeo:v1" >> "$work/s_cold"
  seconds skopeo copy -q --dest-tls-verify=false "oci:$work/layout:v1" "docker://$reg/bench/skopeo:v1" >> "$work/s_warm"
done
dc=$(median < "$work/d_cold"); sc=$(median < "$work/s_cold")
dw=$(median < "$work/d_warm"); sw=$(median < "$work/s_warm")
echo "image: $((size / 1000000)) MB of blobs, $runs runs, medians"
printf 'cold push: distill %ss  skopeo %ss  (skopeo/distill %.2fx)\n' "$dc" "$sc" "$(echo "$sc / $dc" | bc -l)"
printf 'warm push: distill %ss  skopeo %ss  (skopeo/distill %.2fx)\n' "$dw" "$sw" "$(echo "$sw / $dw" | bc -l)"
