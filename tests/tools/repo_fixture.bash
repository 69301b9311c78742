# Hermetic Debian repository for tests/e2e/repo_*.sh: sourced after
# tests/e2e/lib.bash. Makes signing keys, builds the repository with
# testrepo.py, serves it on 127.0.0.1 with faultserver.py, and writes a spec
# that points at it. Everything lives under $WORK and is removed on exit.
need dpkg-deb gpg gpgconf python3
TOOLS=$SRCDIR/tests/tools
R=$WORK/r                     # keys and repo/
APP=$WORK/app                 # the spec's directory
CACHE=$XDG_CACHE_HOME/distill
mkdir -p "$APP"
echo '[]' >"$WORK/faults.json"
python3 "$TOOLS/testrepo.py" keys "$R"
cp "$R/keyring.gpg" "$APP/keyring.gpg"

_repo_cleanup() {
  local rc=$?
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null
  gpgconf --homedir "$R/gnupg" --kill gpg-agent 2>/dev/null || true
  (exit $rc)
  _cleanup
}
trap _repo_cleanup EXIT

# repo_build [--expired] [--stranger] [--bad] [--version NAME=VERSION]...
repo_build() { python3 "$TOOLS/testrepo.py" build "$R" "$@"; }

# Starts the server; sets PORT and MIRROR.
repo_serve() {
  python3 "$TOOLS/faultserver.py" "$R/repo" "$WORK/port" "$WORK/faults.json" &
  SERVER_PID=$!
  for _ in $(seq 100); do [ -f "$WORK/port" ] && break; sleep 0.05; done
  [ -f "$WORK/port" ] || fail "the test server did not start"
  PORT=$(cat "$WORK/port")
  MIRROR=http://127.0.0.1:$PORT
}

# faults '[{"contains": "app_", "status": 500}]'
faults() { echo "$1" >"$WORK/faults.json"; }

# write_spec PACKAGE... (uses $MIRROR)
write_spec() {
  local list
  list=$(printf '%s, ' "$@")
  cat >"$APP/distill.yaml" <<SPEC
debian:
  mirror: $MIRROR
  suite: stable
  components: [main]
  keyring: keyring.gpg
platforms: [linux/amd64]
packages: [${list%, }]
SPEC
}

distill_lock() { "$DISTILL" lock -f "$APP/distill.yaml" --progress=none "$@"; }

# expect_error PATTERN CMD...: CMD fails with status 1 and exactly one line
# on stderr, which matches the extended regex PATTERN.
expect_error() {
  local pattern=$1 rc=0
  shift
  "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  [ "$rc" = 1 ] || fail "exit status $rc, want 1; stderr: $(cat "$WORK/err")"
  [ "$(wc -l <"$WORK/err")" = 1 ] || fail "want one line on stderr, got: $(cat "$WORK/err")"
  grep -Eq -- "$pattern" "$WORK/err" || fail "stderr '$(cat "$WORK/err")' does not match '$pattern'"
}

# Nothing was written: no lock, and no .deb blob in the cache.
expect_nothing_written() {
  [ ! -e "$APP/distill.lock" ] || fail "a lock file was written"
  local n
  n=$({ find "$CACHE/blobs" -type f 2>/dev/null || true; } | wc -l)
  [ "$n" = 0 ] || fail "$n blobs were written to the cache"
}

# distill_build_oci OUT: builds the spec into oci:OUT:latest.
distill_build_oci() { "$DISTILL" build -f "$APP/distill.yaml" --progress=none -o "oci:$1:latest"; }

# expect_bad_deb_refused PACKAGE PATTERN [checked-late]: building a spec
# with PACKAGE (from `repo_build --bad`) fails with one stderr line matching
# PATTERN and the image is not written. The cache is left whole: no temp
# file, no layer of PACKAGE, every blob's sha256 is its name, and no unpacked
# listing of the .deb, except with `checked-late` (a fault that depends on
# the packages below is found after data.tar was read and listed; the
# listing is then complete and the check runs on every build).
expect_bad_deb_refused() {
  local pkg=$1 pattern=$2 late=${3:-} deb sha f
  write_spec "$pkg"
  expect_error "$pattern" distill_build_oci "$WORK/image"
  [ ! -e "$WORK/image" ] || { ls -la "$WORK/image" >&2; fail "$pkg: the output '$WORK/image' was written"; }
  deb=$(ls "$R/repo/pool/main/${pkg}"_*.deb)
  sha=$(sha256sum "$deb" | cut -d' ' -f1)
  [ -n "$late" ] || [ ! -e "$CACHE/unpacked/$sha.json" ] || fail "$pkg: the cache has an unpacked listing of it"
  [ -z "$late" ] || [ ! -e "$CACHE/unpacked/$sha.json" ] || python3 -m json.tool "$CACHE/unpacked/$sha.json" >/dev/null ||
    fail "$pkg: its unpacked listing is not whole"
  ! grep -qs "\"distill package $pkg " "$CACHE"/layers/*.json || fail "$pkg: a layer of it was cached"
  [ -z "$(find "$CACHE/tmp" -type f 2>/dev/null)" ] || fail "$pkg: temp files left: $(find "$CACHE/tmp" -type f)"
  for f in $(find "$CACHE/blobs" -type f 2>/dev/null); do
    [ "$(sha256sum "$f" | cut -d' ' -f1)" = "${f##*/}" ] || fail "$pkg: blob '$f' does not match its name"
  done
  # A second build meets the same fault (nothing cached hides it).
  expect_error "$pattern" distill_build_oci "$WORK/image"
}
