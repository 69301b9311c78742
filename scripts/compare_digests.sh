#!/usr/bin/env bash
# Prints the digest of every built-in base (every variant, bookworm and
# trixie) and of every example, built by DISTILL with its own fresh cache,
# one "NAME DIGEST" line each. Run it with the binaries before and after a
# change and diff the two lists: a refactoring must leave them equal
# (docs/design.md; the mirror must not change between the two runs, so run
# them back to back).
# Usage: scripts/compare_digests.sh DISTILL OUT_FILE [CACHE_DIR]
set -euo pipefail
distill=$(readlink -f "$1"); out=$2
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${3:-$(mktemp -d)}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
: >"$out"
for suite in bookworm trixie; do
  for name in $("$distill" recipes | grep -v '^ '); do
    for variant in latest nonroot debug debug-nonroot; do
      spec="$work/$suite-$name.yaml"
      printf 'base: %s:%s\ndebian: {suite: %s}\n' "$name" "$variant" "$suite" >"$spec"
      if d=$("$distill" build -f "$spec" --cache "$cache" --progress=none 2>"$work/err"); then
        echo "$suite/$name:$variant $d" >>"$out"
      else
        echo "$suite/$name:$variant error: $(head -c 200 "$work/err" | tr '\n' ' ')" >>"$out"
      fi
    done
  done
done
for ex in "$here"/examples/*/distill.yaml; do
  name=$(basename "$(dirname "$ex")")
  ctx="$work/ex-$name"
  if [ -x "$(dirname "$ex")/build.sh" ]; then "$(dirname "$ex")/build.sh" "$ctx" >/dev/null 2>&1
  else mkdir -p "$ctx"; cp -r "$(dirname "$ex")/." "$ctx/"; fi
  if d=$("$distill" build -f "$ctx/distill.yaml" --cache "$cache" --progress=none 2>"$work/err"); then
    echo "example/$name $d" >>"$out"
  else
    echo "example/$name error: $(head -c 200 "$work/err" | tr '\n' ' ')" >>"$out"
  fi
done
