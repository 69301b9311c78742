# Shared helpers for the end-to-end scripts. Each script sources this, runs
# one behaviour, and prints "OK <name>" (exit 0), or "skipped: why" (exit 77).
set -euo pipefail
: "${DISTILL:?set DISTILL to the distill binary}"
SRCDIR=${SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
export CONTAINERS_CONF="$SRCDIR/tests/containers.conf"
# Lowercase on purpose: podman turns an oci: path into an image name.
WORK=/tmp/distill-e2e-$(od -An -N6 -tx1 /dev/urandom | tr -d " \n")
mkdir -m 700 "$WORK"
export XDG_CACHE_HOME="$WORK/cache"
_cleanup() {
  local rc=$?
  for img in ${E2E_PODMAN_IMAGES:-}; do podman rmi -f "$img" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
  exit $rc
}
trap _cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skipped: $*"; exit 77; }
need() { for t in "$@"; do command -v "$t" >/dev/null || skip "'$t' is not installed"; done; }
ok() { echo "OK $(basename "$0" .sh)"; }

# expect_eq WHAT GOT WANT
expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }

# Builds a static C program printing $2 into directory $1 as 'hello'.
make_static_hello() {
  mkdir -p "$1"
  printf '#include <stdio.h>\nint main(void){puts("%s");return 0;}\n' "$2" > "$1/hello.c"
  gcc -static -Os -o "$1/hello" "$1/hello.c"
  rm "$1/hello.c"
}

# The digest distill printed last.
build_digest() { "$DISTILL" build --progress=none "$@" | tail -n 1; }
