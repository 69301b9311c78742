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
# The test's own user state, so that what the user's account holds cannot
# change an outcome and nothing a test writes there outlives it: a HOME with
# its own ~/.docker and ~/.config (distill, podman and skopeo read logins,
# registries.conf, certs.d and policy.json there), an empty auth file of its
# own instead of the login in $XDG_RUNTIME_DIR/containers/auth.json (podman
# wants the file to exist), and none of the caller's credentials, runtime
# choice or SOURCE_DATE_EPOCH. Podman's image storage stays where it is: as
# root it does not depend on HOME; rootless, XDG_DATA_HOME and
# CONTAINERS_STORAGE_CONF keep the user's.
if [ "$(id -u)" != 0 ]; then
  export XDG_DATA_HOME="${XDG_DATA_HOME:-$HOME/.local/share}"
  _storage_conf="${XDG_CONFIG_HOME:-$HOME/.config}/containers/storage.conf"
  [ -n "${CONTAINERS_STORAGE_CONF:-}" ] || [ ! -f "$_storage_conf" ] || export CONTAINERS_STORAGE_CONF="$_storage_conf"
fi
export HOME="$WORK/home"
export XDG_CONFIG_HOME="$HOME/.config" DOCKER_CONFIG="$HOME/.docker" REGISTRY_AUTH_FILE="$WORK/auth.json"
unset CONTAINERS_REGISTRIES_CONF SOURCE_DATE_EPOCH DISTILL_RUNTIME \
  DISTILL_REGISTRY_USER DISTILL_REGISTRY_PASSWORD DISTILL_REGISTRY_HOST
mkdir "$HOME" && echo '{"auths": {}}' >"$REGISTRY_AUTH_FILE"
_cleanup() {
  local rc=$?
  # By name, never by ID: images are reproducible, so another test running
  # at the same time may hold the same image ID under its own name.
  for img in ${E2E_PODMAN_IMAGES:-} $(podman images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -F "${WORK##*/}"); do
    podman rmi "$img" >/dev/null 2>&1 || true
  done
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

# The Debian mirror of this host's apt configuration; skips the test when it
# does not answer (tests against the real mirror only).
need_mirror() {
  need curl
  local uri
  # A host may have either file (a pristine debootstrap/mmdebstrap root has
  # only sources.list): a missing one is not an error under set -e.
  uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1=="deb"{for(i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || skip "no Debian mirror in the apt configuration"
  curl -sf -o /dev/null --max-time 20 "$uri/dists/" 2>/dev/null || curl -sf -o /dev/null --max-time 20 -I "$uri/" || skip "mirror '$uri' unreachable"
}

# One package cache shared by the tests of a run that use the real mirror,
# so each .deb is fetched once (the cache is safe for concurrent builds).
SHARED_CACHE=${DISTILL_E2E_CACHE:-/tmp/distill-e2e-cache}

# base_image NAME[:VARIANT] LAYOUT_DIR: builds a built-in base into oci:DIR:TAG
# (TAG = name with ':' as '-') and prints the digest.
base_image() {
  "$DISTILL" base "$1" --cache "$SHARED_CACHE" --progress=none -o "oci:$2:${1/:/-}" 2>"$WORK/base.err" | tail -n 1 \
    || { cat "$WORK/base.err" >&2; fail "distill base $1"; }
}

# Runs an oci: image in podman quietly; extra args go before the image.
prun() { podman run --rm -q "$@" 2>"$WORK/podman.err" || { cat "$WORK/podman.err" >&2; return 1; }; }

# The exact distroless account files (distroless.md 1.2).
PASSWD_TEXT='root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin'
GROUP_TEXT='root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:'

# check_variants BASE: the four variants' accounts, user, workdir and shell.
check_variants() {
  local b=$1 l="$WORK/variants" d
  for v in latest nonroot debug debug-nonroot; do
    base_image "$b:$v" "$l" >/dev/null
  done
  umoci unpack --image "$l:$b-latest" "$WORK/v-root" >/dev/null
  expect_eq "/etc/passwd of $b" "$(cat "$WORK/v-root/rootfs/etc/passwd")" "$PASSWD_TEXT"
  expect_eq "/etc/group of $b" "$(cat "$WORK/v-root/rootfs/etc/group")" "$GROUP_TEXT"
  [ ! -e "$WORK/v-root/rootfs/bin/sh" ] || fail "$b has /bin/sh"
  [ "$(stat -c %a "$WORK/v-root/rootfs/tmp")" = 1777 ] || fail "$b /tmp is not 1777"
  grep -q '^PRETTY_NAME="Distroless"' "$WORK/v-root/rootfs/usr/lib/os-release" || fail "$b os-release"
  cfg() { skopeo inspect --config "oci:$l:$1" | python3 -c "import json,sys;c=json.load(sys.stdin)['config'];print(c.get('User',''), c.get('WorkingDir',''))"; }
  expect_eq "$b user/workdir" "$(cfg "$b-latest")" "0 /"
  expect_eq "$b:nonroot user/workdir" "$(cfg "$b-nonroot")" "65532 /home/nonroot"
  expect_eq "$b:debug-nonroot user/workdir" "$(cfg "$b-debug-nonroot")" "65532 /home/nonroot"
  expect_eq "$b:debug busybox sh" "$(prun --entrypoint /busybox/sh "oci:$l:$b-debug" -c 'echo hi from $0')" "hi from /busybox/sh"
  expect_eq "$b:debug-nonroot id" "$(prun --entrypoint /busybox/id "oci:$l:$b-debug-nonroot" -u)" "65532"
  umoci unpack --image "$l:$b-debug" "$WORK/v-debug" >/dev/null
  [ ! -e "$WORK/v-debug/rootfs/bin/sh" ] || fail "$b:debug has /bin/sh"
}
