#!/usr/bin/env bash
# Warm rebuild after a one-byte app change (issue 5, part 2): for each example
# (default: python and java), the median of RUNS cold builds (an empty cache
# directory: resolve, fetch every .deb, unpack, compress every layer) against
# the median of RUNS warm rebuilds, each after changing one byte of the app
# (python: a letter of server.py; java: of HelloJava's message, then main.jar
# rebuilt outside the timing). Each warm rebuild must change only the last
# layer's digest (compared with `distill inspect --json`). Also times a
# no-change rebuild and the phases of one warm rebuild (--progress=plain's
# lines, timestamped).
# Usage: bench/app_rebuild.sh [DISTILL_BINARY] [EXAMPLES...]   (RUNS=5)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
distill=${1:-$here/../build/release/distill}
shift || true
[ $# -gt 0 ] && examples=("$@") || examples=(python java)
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
median() { python3 -c 'import statistics,sys; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.3f}")' "$@"; }
# timed SPEC CACHE LAYOUT → seconds of one build into oci:LAYOUT:app
timed() {
  local t0 t1
  t0=$(now)
  "$distill" build -f "$1" --cache "$2" --progress=none -o "oci:$3:app" >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; exit 1; }
  t1=$(now)
  python3 -c "print($t1 - $t0)"
}
layers() {
  "$distill" inspect --json "oci:$1:app" |
    python3 -c 'import json,sys; print(" ".join(l["digest"][7:19] for l in json.load(sys.stdin)["images"][0]["manifest"]["layers"]))'
}
# change EXAMPLE CONTEXT N: one byte of the app differs from the previous
# run (a letter's case flips between odd and even N).
change() {
  local from=$(( $3 % 2 ? 0 : 1 )) to=$(( $3 % 2 ))
  local py=("A small" "a small") jv=("Hello world" "Hello World")
  case $1 in
    python) sed -i "1s/${py[$from]}/${py[$to]}/" "$2/server.py" ;;
    java) sed -i "s/${jv[$from]}/${jv[$to]}/" "$2/examples/HelloJava.java"
          "$2/build.sh" >/dev/null ;;  # the context's copy builds in place
    *) echo "no change rule for '$1'" >&2; exit 2 ;;
  esac
}

echo "| example | cold build (median of $runs) | warm rebuild, one byte changed (median of $runs) | ratio | no-change rebuild | only the app layer changed |"
echo "|---|---:|---:|---:|---:|---|"
for e in "${examples[@]}"; do
  ctx="$work/$e"
  "$here/../examples/$e/build.sh" "$ctx" >/dev/null
  cold=()
  for i in $(seq "$runs"); do
    rm -rf "$work/cold-cache"
    cold+=("$(timed "$ctx/distill.yaml" "$work/cold-cache" "$work/cold")")
  done
  warm=()
  only_app=yes
  prev=$(layers "$work/cold")
  for i in $(seq "$runs"); do
    change "$e" "$ctx" "$i"
    warm+=("$(timed "$ctx/distill.yaml" "$work/cold-cache" "$work/warm-$i")")
    cur=$(layers "$work/warm-$i")
    p=($prev) c=($cur)
    n=${#c[@]}
    if [ "${#p[@]}" != "$n" ] || [ "${p[*]:0:n-1}" != "${c[*]:0:n-1}" ] || [ "${p[n-1]}" = "${c[n-1]}" ]; then
      only_app="no (run $i: ${prev} -> ${cur})"
    fi
    prev=$cur
  done
  same=()
  for i in $(seq "$runs"); do same+=("$(timed "$ctx/distill.yaml" "$work/cold-cache" "$work/same")"); done
  mc=$(median "${cold[@]}") mw=$(median "${warm[@]}") ms=$(median "${same[@]}")
  ratio=$(python3 -c "print(f'{100*$mw/$mc:.1f}%')")
  echo "| $e | ${mc} s | ${mw} s | $ratio | ${ms} s | $only_app |"
  # Where one warm rebuild's time goes: each progress line with the seconds
  # since the start; the phase a line starts lasts until the next one.
  change "$e" "$ctx" $((runs + 1))
  start=$(now)
  "$distill" build -f "$ctx/distill.yaml" --cache "$work/cold-cache" --progress=plain -o "oci:$work/phases:app" 2>&1 >/dev/null |
    python3 -c '
import sys, time
t0 = float(sys.argv[1]); last = (0.0, "(start: reading the spec, the chain, the apt sources)")
for line in sys.stdin:
    t = time.time() - t0
    print(f"    {t - last[0]:6.3f} s  {last[1]}", file=sys.stderr)
    last = (t, line.rstrip()[:100])
print(f"    {time.time() - t0 - last[0]:6.3f} s  {last[1]} (to exit)", file=sys.stderr)
' "$start" 2>"$work/phases-$e.txt"
  { echo "phases of one warm rebuild of $e:"; cat "$work/phases-$e.txt"; } >&2
  [ "$only_app" = yes ] || exit 1
done
