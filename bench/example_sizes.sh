#!/usr/bin/env bash
# Sizes of the examples (issue 5): each example image as distill builds it
# (slimmed base) against the same app on the distroless-equivalent base, the
# same spec with `slim: false` (which turns slimming off for every package of
# the image, base included: what distroless ships). Compressed = the layer
# blobs (what a pull moves), uncompressed = the layer tars. Both are built in
# this run; prints a Markdown table and fails if an example is not smaller.
# Usage: bench/example_sizes.sh [DISTILL_BINARY] [EXAMPLES...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
distill=${1:-$here/../build/release/distill}
shift || true
[ $# -gt 0 ] && examples=("$@") || examples=(cpp go python node java)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cache=${DISTILL_BENCH_CACHE:-/tmp/distill-bench-cache}
sizes() {
  python3 -c 'import json,sys; j=json.load(sys.stdin); print(sum(l["size"] for l in j["layers"]), sum(l["uncompressedSize"] for l in j["layers"]), j["layers"][-1]["size"], len(j["layers"]))'
}
mb() { python3 -c "print(f'{$1/1e6:.1f}')"; }
kb() { python3 -c "print(f'{$1/1e3:.1f}')"; }
pct() { python3 -c "print(f'{100*($1-$2)/$1:.1f}')"; }
build() {  # SPEC CONTEXT → "compressed uncompressed app-layer layers"
  "$distill" build -f "$1" "$2" --cache "$cache" --progress=none --json 2>"$work/err" | sizes ||
    { cat "$work/err" >&2; exit 1; }
}
status=0
echo "| example | base | layers | app layer | compressed | uncompressed | compressed (\`slim: false\`) | uncompressed (\`slim: false\`) | saved (compressed / uncompressed) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for e in "${examples[@]}"; do
  ctx="$work/$e"
  "$here/../examples/$e/build.sh" "$ctx" >/dev/null
  base=$(awk '$1=="base:"{print $2; exit}' "$ctx/distill.yaml")
  read -r c u app n < <(build "$ctx/distill.yaml" "$ctx")
  { cat "$ctx/distill.yaml"; printf '\nslim: false\n'; } >"$work/$e-full.yaml"
  read -r fc fu _ _ < <(build "$work/$e-full.yaml" "$ctx")
  echo "| $e | $base | $n | $(kb "$app") kB | $(mb "$c") MB | $(mb "$u") MB | $(mb "$fc") MB | $(mb "$fu") MB | $(pct "$fc" "$c")% / $(pct "$fu" "$u")% |"
  if [ "$c" -ge "$fc" ] || [ "$u" -ge "$fu" ]; then
    echo "FAIL: $e is not smaller than on the distroless-equivalent base" >&2
    status=1
  fi
done
exit $status
