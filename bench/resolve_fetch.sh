#!/usr/bin/env bash
# Resolve and fetch the closure of a Java runtime (issue 3): distill cold
# (empty cache), distill warm (everything cached; indexes fresh, so only the
# three InRelease files are fetched again) and warm offline, against
#   apt-get install --download-only --no-install-recommends PKG
# into an empty archives directory on an empty dpkg status, in the same run.
# apt's time includes neither 'apt-get update' (its lists are already on
# disk) nor index parsing beyond its binary cache; distill's cold time
# includes fetching and verifying the indexes. Warm runs fetch each
# InRelease again and compare it with the cached, verified one (librnp is
# skipped for identical bytes), then read the resolution cached under the
# hashes of the indexes the Releases name: no index text is read. With
# BASELINE=<another distill>, that binary's warm time on the same cache is
# measured in the same run (e.g. the main branch's build, before a change).
# Prints medians of N runs.
# Usage: [BASELINE=DISTILL2] bench/resolve_fetch.sh [DISTILL] [N]
#        (default build/release/distill, 5)
set -euo pipefail
DISTILL=${1:-build/release/distill}
N=${2:-5}
PKG=${PKG:-openjdk-17-jre-headless}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'packages: [%s]\n' "$PKG" >"$work/distill.yaml"
: >"$work/empty-status"

# A failed run must not count as a fast one: it stops the benchmark.
secs() {
  local t0=$(date +%s.%N)
  "$@" >/dev/null 2>"$work/err" || { echo "failed: $* ($(tail -n 1 "$work/err"))" >&2; exit 1; }
  echo "$(date +%s.%N) - $t0" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

apt_once() {
  rm -rf "$work/apt" && mkdir -p "$work/apt/partial"
  apt-get -qq -o Dir::State::status="$work/empty-status" -o Debug::NoLocking=1 \
    -o Dir::Cache::archives="$work/apt" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
    install --download-only --no-install-recommends -y "$PKG"
}
distill_cold() { rm -rf "$work/cache"; "$DISTILL" lock -f "$work/distill.yaml" --cache "$work/cache" --progress=none; }
distill_warm() { "$DISTILL" lock -f "$work/distill.yaml" --cache "$work/cache" --progress=none; }
baseline_warm() { "$BASELINE" lock -f "$work/distill.yaml" --cache "$work/cache" --progress=none; }
distill_offline() { "$DISTILL" lock -f "$work/distill.yaml" --cache "$work/cache" --progress=none --offline; }

apt_t=() cold_t=() warm_t=() off_t=() base_t=()
for _ in $(seq "$N"); do
  apt_t+=("$(secs apt_once)")
  cold_t+=("$(secs distill_cold)")
  warm_t+=("$(secs distill_warm)")
  off_t+=("$(secs distill_offline)")
  if [ -n "${BASELINE:-}" ]; then base_t+=("$(secs baseline_warm)"); fi
done
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["platforms"].popitem()[1]["packages"]))' "$work/distill.lock")
mb=$(du -sm "$work/cache/blobs" | cut -f1)
apt_n=$(ls "$work/apt"/*.deb | wc -l)
a=$(printf '%s\n' "${apt_t[@]}" | median)
c=$(printf '%s\n' "${cold_t[@]}" | median)
w=$(printf '%s\n' "${warm_t[@]}" | median)
o=$(printf '%s\n' "${off_t[@]}" | median)
echo "$PKG: distill $n packages ($mb MB), apt $apt_n .debs; medians of $N runs"
printf 'apt-get --download-only   %6.2f s\n' "$a"
printf 'distill cold              %6.2f s  (%.2fx apt)\n' "$c" "$(echo "$c / $a" | bc -l)"
printf 'distill warm              %6.2f s\n' "$w"
printf 'distill warm --offline    %6.2f s\n' "$o"
if [ -n "${BASELINE:-}" ]; then
  b=$(printf '%s\n' "${base_t[@]}" | median)
  printf 'baseline warm             %6.2f s  (%s)\n' "$b" "$BASELINE"
fi
