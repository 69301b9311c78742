#!/usr/bin/env bash
# Runs one CLI golden case: tests/cli/<topic>/<case>.sh runs in a fresh
# temporary directory with $DISTILL set; its stdout, stderr and exit status
# are compared with <case>.stdout, <case>.stderr and <case>.exit (a missing
# expectation file means "empty" for stdout/stderr and 0 for exit). The
# temporary directory's path is replaced by $TMP in what is compared.
# Usage: run_case.sh [--update] CASE.sh
set -u
update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi
case_file=$(readlink -f "$1")
base=${case_file%.sh}
: "${DISTILL:?set DISTILL to the distill binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
SRCDIR=${SRCDIR:-$(dirname "$0")/../..} bash "$case_file" >"$tmp/.stdout" 2>"$tmp/.stderr"
status=$?
sed -i "s|$tmp|\$TMP|g" "$tmp/.stdout" "$tmp/.stderr"
echo "$status" >"$tmp/.exit"
if [ $update = 1 ]; then
  for k in stdout stderr exit; do cp "$tmp/.$k" "$base.$k"; done
  echo "updated $base"
  exit 0
fi
fail=0
for k in stdout stderr exit; do
  want="$base.$k"
  if [ ! -f "$want" ]; then
    case $k in exit) printf '0\n' >"$tmp/.want" ;; *) : >"$tmp/.want" ;; esac
    want="$tmp/.want"
  fi
  if ! diff -u "$want" "$tmp/.$k" >"$tmp/.diff"; then
    echo "FAIL: $k differs for $(basename "$base")"
    cat "$tmp/.diff"
    fail=1
  fi
done
[ $fail = 0 ] && echo "OK $(basename "$base")"
exit $fail
