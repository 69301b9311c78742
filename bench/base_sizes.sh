#!/usr/bin/env bash
# Sizes of the built-in bases (issue 4): compressed (sum of layer blobs, what
# a pull transfers) and uncompressed (sum of layer tars), each built with
# slimming on (the default) and off (`slim: false`: every file of every
# package, as distroless ships them). Prints a Markdown table.
# Usage: bench/base_sizes.sh [DISTILL_BINARY] [BASES...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
distill=${1:-$here/../build/release/distill}
shift || true
[ $# -gt 0 ] && bases=("$@") || bases=(static base-nossl base cc python3 java-base java17 nodejs)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cache=${DISTILL_BENCH_CACHE:-/tmp/distill-bench-cache}
sizes() {
  python3 -c 'import json,sys; j=json.load(sys.stdin); print(sum(l["size"] for l in j["layers"]), sum(l["uncompressedSize"] for l in j["layers"]), len(j["layers"]))'
}
mb() { python3 -c "print(f'{$1/1e6:.1f}')"; }
echo "| base | layers | compressed (slim) | uncompressed (slim) | compressed (slim: false) | uncompressed (slim: false) |"
echo "|---|---:|---:|---:|---:|---:|"
for b in "${bases[@]}"; do
  read -r c u n < <("$distill" base "$b" --cache "$cache" --progress=none --json 2>/dev/null | sizes)
  printf 'base: %s\nslim: false\n' "$b" > "$work/full.yaml"
  read -r fc fu _ < <("$distill" build -f "$work/full.yaml" --cache "$cache" --progress=none --json 2>/dev/null | sizes)
  echo "| $b | $n | $(mb "$c") MB | $(mb "$u") MB | $(mb "$fc") MB | $(mb "$fu") MB |"
done
