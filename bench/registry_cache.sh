#!/usr/bin/env bash
# Benchmark (issue 7, parts 4 and 6): registry bases and the registry build
# cache, against a loopback docker-registry. Not a test: it measures.
#
#  1. A small app (a jar) on `base: docker://.../java17:1` (distill's java17
#     base, pushed once): a cold build (an empty --cache: the base's layers
#     are pulled and read) against a warm one (the same cache: one manifest
#     request, nothing pulled).
#  2. `distill base python3` on an empty --cache: without a registry cache
#     against `--cache-from` a cache image that another cache directory
#     exported with --cache-to. Both fetch the .debs from the host's Debian
#     mirror; run 2b repeats both with the .debs (and indexes) already in the
#     cache, which isolates what the registry cache saves: unpacking and
#     compressing the package layers.
#  3. A spec with a build stage (gcc and libc6-dev installed, a C program
#     compiled; needs root and runc): machine B on an empty --cache without
#     a registry cache (fetch the stage's .debs, install them with dpkg, run
#     the command) against `--cache-from` the cache image machine A exported
#     (pull and unpack the package root and the run result). Run 3b repeats
#     both with the .debs and indexes already in the cache.
#
# Prints medians of N runs (default 3) and ratios. BENCH_ONLY=stages runs
# part 3 alone.
# Usage: bench/registry_cache.sh [DISTILL_BINARY] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
distill=${1:-$here/../build/release/distill}
runs=${2:-3}
work=$(mktemp -d /tmp/distill-regcache-bench-XXXXXX)
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null || true; done; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
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
d() { "$distill" "$@" --progress=none --tls-verify=false; }

# seconds COMMAND...: wall time of one run.
seconds() {
  local t0 t1
  t0=$(date +%s.%N); "$@" >/dev/null 2>"$work/last.err" || { cat "$work/last.err" >&2; exit 1; }; t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }

# 3. A build stage through the registry cache (printed at the end).
stages() {
  mkdir -p "$work/st"
  printf '#include <stdio.h>\nint main(void){puts("hello");return 0;}\n' > "$work/st/hello.c"
  cat > "$work/st/distill.yaml" <<'Y'
base: static
stages:
  build:
    packages: [gcc, libc6-dev]
    files: [{src: hello.c, dst: /src/hello.c}]
    workdir: /src
    run:
      - gcc -static -O2 -o hello hello.c
files:
  - {from: build, src: /src/hello, dst: /hello}
config: {entrypoint: ["/hello"]}
Y
  sb() { d build -f "$work/st/distill.yaml" --cache "$1" -o "oci:$work/st-out:s" "${@:2}"; }
  sb "$work/SA" --cache-to "docker://$reg/cache/stage:1" >/dev/null
  cp -r "$work/SA" "$work/sdebs"
  rm -rf "$work/sdebs/stages" "$work/sdebs/entries/stage-blobs" "$work/sdebs/layers" "$work/sdebs/unpacked" "$work/sdebs/tmp"
  root_blob=$(find "$work/SA/blobs" -type f -size +20M -printf '%s\n' | sort -n | tail -n 1)
  for i in $(seq "$runs"); do
    rm -rf "$work/y"; seconds sb "$work/y" >> "$work/st_cold"
    rm -rf "$work/y"; seconds sb "$work/y" --cache-from "docker://$reg/cache/stage:1" >> "$work/st_from"
    rm -rf "$work/y"; cp -r "$work/sdebs" "$work/y"; seconds sb "$work/y" >> "$work/st_cold_debs"
    rm -rf "$work/y"; cp -r "$work/sdebs" "$work/y"
    seconds sb "$work/y" --cache-from "docker://$reg/cache/stage:1" >> "$work/st_from_debs"
  done
  rm -rf "$work/y"
  sc=$(median < "$work/st_cold"); sf=$(median < "$work/st_from")
  scd=$(median < "$work/st_cold_debs"); sfd=$(median < "$work/st_from_debs")
  echo "stage spec (gcc + libc6-dev root, one gcc command); largest stage blob $((root_blob / 1000000)) MB"
  printf 'stage, empty cache: no registry cache %ss  --cache-from %ss  (%.2fx)\n' "$sc" "$sf" "$(echo "$sc / $sf" | bc -l)"
  printf 'stage, .debs cached: no registry cache %ss  --cache-from %ss  (%.2fx)\n' "$scd" "$sfd" "$(echo "$scd / $sfd" | bc -l)"
}
if [ "${BENCH_ONLY:-}" = stages ]; then
  echo "$runs runs, medians"
  stages
  exit 0
fi

# 1. The java17 base, pushed once; the app on it.
d base java17 --cache "$work/seed" -o "docker://$reg/bases/java17:1" >/dev/null
mkdir -p "$work/app"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hi"); } }\n' > "$work/app/Hello.java"
if command -v javac >/dev/null; then
  (cd "$work/app" && javac Hello.java && jar cfe app.jar Hello Hello.class)
else
  cp "$work/app/Hello.java" "$work/app/app.jar"
fi
cat > "$work/app/distill.yaml" <<Y
base: docker://$reg/bases/java17:1
files:
  - src: app.jar
    dst: /app/app.jar
config:
  cmd: ["/app/app.jar"]
Y
for i in $(seq "$runs"); do
  rm -rf "$work/c"
  seconds d build -f "$work/app/distill.yaml" --cache "$work/c" -o "oci:$work/out:app" >> "$work/base_cold"
  seconds d build -f "$work/app/distill.yaml" --cache "$work/c" -o "oci:$work/out:app" >> "$work/base_warm"
done
base_size=$(du -sb "$work/c/blobs" | cut -f1)

# 2. python3 through the registry cache.
d base python3 --cache "$work/A" --cache-to "docker://$reg/cache/python3:1" >/dev/null
# A cache with the .debs and indexes but no layer records and no unpacked
# lists: every layer is unpacked and compressed again (blobs it would write
# are there already, which saves only their writes).
cp -r "$work/A" "$work/debs"
rm -rf "$work/debs/layers" "$work/debs/unpacked" "$work/debs/tmp"
for i in $(seq "$runs"); do
  rm -rf "$work/x"; seconds d base python3 --cache "$work/x" -o "oci:$work/py:p" >> "$work/py_cold"
  rm -rf "$work/x"; seconds d base python3 --cache "$work/x" --cache-from "docker://$reg/cache/python3:1" -o "oci:$work/py:p" >> "$work/py_from"
  rm -rf "$work/x"; cp -r "$work/debs" "$work/x"
  seconds d base python3 --cache "$work/x" -o "oci:$work/py:p" >> "$work/py_cold_debs"
  rm -rf "$work/x"; cp -r "$work/debs" "$work/x"
  seconds d base python3 --cache "$work/x" --cache-from "docker://$reg/cache/python3:1" -o "oci:$work/py:p" >> "$work/py_from_debs"
done

bc_=$(median < "$work/base_cold"); bw=$(median < "$work/base_warm")
pc=$(median < "$work/py_cold"); pf=$(median < "$work/py_from")
pcd=$(median < "$work/py_cold_debs"); pfd=$(median < "$work/py_from_debs")
echo "$runs runs, medians; java17 base in the cache: $((base_size / 1000000)) MB"
printf 'app on docker:// java17 base: cold %ss  warm %ss  (cold/warm %.1fx)\n' "$bc_" "$bw" "$(echo "$bc_ / $bw" | bc -l)"
printf 'python3, empty cache: no registry cache %ss  --cache-from %ss  (%.2fx)\n' "$pc" "$pf" "$(echo "$pc / $pf" | bc -l)"
printf 'python3, .debs cached: no registry cache %ss  --cache-from %ss  (%.2fx)\n' "$pcd" "$pfd" "$(echo "$pcd / $pfd" | bc -l)"
if [ "$(id -u)" = 0 ] && command -v runc >/dev/null; then
  stages
else
  echo "stage spec: skipped (needs root and runc)"
fi
