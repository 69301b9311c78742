#!/usr/bin/env bash
# Sizes of the built-in bases (issue 4): compressed (sum of layer blobs, what
# a pull transfers) and uncompressed (sum of layer tars), each built with
# slimming on (the default) and off (`slim: false`: every file of every
# package, as distroless ships them). Prints a Markdown table, in MB to two
# decimals so that small differences show.
# Usage: [SUITE=trixie] bench/base_sizes.sh [DISTILL_BINARY] [BASES...]
# SUITE builds each base from a spec `base: NAME` with `debian: {suite:
# SUITE}`; without it the host's suite (`distill base NAME`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
distill=${1:-$here/../build/release/distill}
shift || true
suite=${SUITE:-}
java=java17
[ "$suite" = trixie ] && java=java21
[ $# -gt 0 ] && bases=("$@") || bases=(static base-nossl base cc python3 java-base "$java" nodejs)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cache=${DISTILL_BENCH_CACHE:-/tmp/distill-bench-cache}
sizes() {
  python3 -c 'import json,sys; j=json.load(sys.stdin); print(sum(l["size"] for l in j["layers"]), sum(l["uncompressedSize"] for l in j["layers"]), len(j["layers"]))'
}
mb() { python3 -c "print(f'{$1/1e6:.2f}')"; }
# spec NAME SLIM: a spec building base NAME on $suite with slimming SLIM.
spec() {
  printf 'base: %s\nslim: %s\n' "$1" "$2"
  [ -z "$suite" ] || printf 'debian: {suite: %s}\n' "$suite"
}
echo "| base | layers | compressed (slim) | uncompressed (slim) | compressed (slim: false) | uncompressed (slim: false) |"
echo "|---|---:|---:|---:|---:|---:|"
for b in "${bases[@]}"; do
  spec "$b" true > "$work/slim.yaml"
  spec "$b" false > "$work/full.yaml"
  read -r c u n < <("$distill" build -f "$work/slim.yaml" --cache "$cache" --progress=none --json 2>/dev/null | sizes)
  read -r fc fu _ < <("$distill" build -f "$work/full.yaml" --cache "$cache" --progress=none --json 2>/dev/null | sizes)
  echo "| $b | $n | $(mb "$c") MB | $(mb "$u") MB | $(mb "$fc") MB | $(mb "$fu") MB |"
done
