#!/bin/bash
# Checks debian::CompareVersions against `dpkg --compare-versions` on random
# versions (epochs, digit runs with leading zeros, letters, '~', '+', '.', '-')
# and on real versions from this host's apt lists. The oracle binary sits next
# to $DISTILL. Prints the number of pairs checked; exits 1 listing the first
# mismatches, 77 when dpkg (or the oracle) is missing.
set -u
command -v dpkg >/dev/null || { echo "skipped: no dpkg"; exit 77; }
oracle="$(dirname "${DISTILL:-./build/debug/distill}")/version_oracle"
[ -x "$oracle" ] || { echo "skipped: no $oracle"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Random pairs: half independent, half a version and a one-piece mutation of
# it, so that near-equal versions (the interesting ones) are well covered.
awk -v n=2600 'BEGIN {
  srand(20240521)
  split("0 1 2 9 00 01 10 010 123 999", digits, " ")
  no = split("a b z A Z ~ ~~ + . ~a +b .0 a~", other, " ")
  for (i = 0; i < n; i++) { a = gen(); print a, gen(); print a, valid(mutate(a), a) }
}
function pick(arr, k) { return arr[1 + int(rand() * k)] }
function piece() { return rand() < 0.5 ? pick(digits, 10) : pick(other, no) }
function part(min,   s, k, j) {
  s = pick(digits, 10); k = int(rand() * 5) + min
  for (j = 0; j < k; j++) s = s piece()
  return s
}
function gen(   v) {
  v = part(0)
  if (rand() < 0.2) v = int(rand() * 3) ":" v
  if (rand() < 0.3) v = v "-" part(0)
  if (rand() < 0.5) v = v "-" part(0)
  return v
}
# dpkg rejects an upstream part that does not start with a digit.
function valid(v, fallback) { return v ~ /^([0-9]+:)?[0-9]/ && v !~ /-$/ ? v : fallback }
function mutate(v,   p, pos, c) {
  p = rand()
  if (p < 0.3) return v piece()
  if (p < 0.5) return v "~"
  if (p < 0.6) return "0:" v
  pos = 2 + int(rand() * (length(v) - 1))
  c = substr(v, pos, 1)
  if (c == ":" || c == "-") return v "0"
  return substr(v, 1, pos - 1) piece() substr(v, pos + 1)
}' >"$tmp/random"

# Real pairs: distinct Version fields of the host's lists, neighbours in
# sorted order plus random pairs.
for f in /var/lib/apt/lists/*_Packages*; do
  [ -e "$f" ] || continue
  case "$f" in
    *.lz4) lz4cat "$f" ;; *.gz) zcat "$f" ;; *.xz) xzcat "$f" ;; *.zst) zstdcat "$f" ;;
    *) cat "$f" ;;
  esac
done 2>/dev/null | sed -n 's/^Version: *//p' | sort -u >"$tmp/real_versions"
if [ -s "$tmp/real_versions" ]; then
  seed() { yes 20240521; }
  paste -d' ' <(sed '$d' "$tmp/real_versions") <(sed 1d "$tmp/real_versions") |
    shuf -n 2600 --random-source=<(seed) >"$tmp/real"
  paste -d' ' <(shuf -n 2600 --random-source=<(seed) "$tmp/real_versions") \
    <(shuf -n 2600 --random-source=<(yes 7) "$tmp/real_versions") >>"$tmp/real"
else
  : >"$tmp/real"
fi

cat "$tmp/random" "$tmp/real" | "$oracle" >"$tmp/answers" || { echo "oracle failed"; exit 1; }

# dpkg's answer for one pair, checking the oracle's answer first so that a
# matching pair costs one dpkg call.
check() {
  local a b want op got rc
  while read -r a b want; do
    case "$want" in '<') op=lt ;; '=') op=eq ;; *) op=gt ;; esac
    dpkg --compare-versions "$a" "$op" "$b" 2>/dev/null
    rc=$?
    [ $rc -eq 0 ] && continue
    if [ $rc -gt 1 ]; then got='error'
    elif dpkg --compare-versions "$a" lt "$b" 2>/dev/null; then got='<'
    elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then got='='
    else got='>'; fi
    echo "$a $b: distill says '$want', dpkg says '$got'"
  done
}
split -n l/2 "$tmp/answers" "$tmp/part."
for p in "$tmp"/part.*; do check <"$p" >"$p.bad" & done
wait
cat "$tmp"/part.*.bad >"$tmp/bad"
total=$(wc -l <"$tmp/answers")
echo "checked $total pairs ($(wc -l <"$tmp/random") random, $(wc -l <"$tmp/real") real)"
if [ -s "$tmp/bad" ]; then
  echo "$(wc -l <"$tmp/bad") mismatches, first ones:"
  head -n 10 "$tmp/bad"
  exit 1
fi
echo OK
