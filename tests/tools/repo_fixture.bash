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

# repo_build [--expired] [--stranger] [--version NAME=VERSION]...
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
