#!/usr/bin/env bash
# Runs one CLI golden case: tests/cli/<topic>/<case>.sh runs in a fresh
# temporary directory with $DISTILL set; its stdout, stderr and exit status
# are compared with <case>.stdout, <case>.stderr and <case>.exit (a missing
# expectation file means "empty" for stdout/stderr and 0 for exit). The
# temporary directory's path is replaced by $TMP in what is compared.
#
# Each case is hermetic: it gets a HOME of its own inside that directory
# ($TMP/.home, so the default cache is $TMP/.home/.cache/distill), its own
# XDG_CACHE_HOME, XDG_CONFIG_HOME, XDG_RUNTIME_DIR and DOCKER_CONFIG below it,
# and an empty registries.conf (CONTAINERS_REGISTRIES_CONF) instead of the
# host's; REGISTRY_AUTH_FILE, SOURCE_DATE_EPOCH, DISTILL_RUNTIME and the
# DISTILL_REGISTRY_* credentials of the caller are unset. So no case reads or
# writes the user's ~/.cache/distill, logins or container configuration, and
# none depends on what an earlier run left there. A case that needs one of
# these set differently sets (or unsets) it itself.
# Usage: run_case.sh [--update] CASE.sh
set -u
update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi
case_file=$(readlink -f "$1")
srcdir=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
base=${case_file%.sh}
: "${DISTILL:?set DISTILL to the distill binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export HOME="$tmp/.home"
export XDG_CACHE_HOME="$HOME/.cache" XDG_CONFIG_HOME="$HOME/.config"
export XDG_RUNTIME_DIR="$tmp/.run" DOCKER_CONFIG="$HOME/.docker"
export CONTAINERS_REGISTRIES_CONF="$tmp/.registries.conf"
unset REGISTRY_AUTH_FILE SOURCE_DATE_EPOCH DISTILL_RUNTIME \
  DISTILL_REGISTRY_USER DISTILL_REGISTRY_PASSWORD DISTILL_REGISTRY_HOST
mkdir -p "$HOME" && mkdir -m 700 "$XDG_RUNTIME_DIR" && : >"$CONTAINERS_REGISTRIES_CONF"
SRCDIR=$srcdir bash "$case_file" >"$tmp/.stdout" 2>"$tmp/.stderr"
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
