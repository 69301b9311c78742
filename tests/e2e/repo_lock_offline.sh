#!/usr/bin/env bash
# The happy path against a hermetic repository: `distill lock` resolves
# (alternatives, a versioned Provides, a chain), verifies, fetches every .deb
# into the cache and writes distill.lock; then, with the server gone,
# `lock --offline` and `build --offline --locked` work from the cache alone.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/repo_fixture.bash"
repo_build
repo_serve
write_spec app
distill_lock --json >"$WORK/set.json" 2>"$WORK/err" || fail "lock: $(cat "$WORK/err")"
[ -s "$WORK/err" ] && fail "lock printed on stderr: $(cat "$WORK/err")"
got=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))
print(" ".join(p["name"]+"="+p["version"] for p in j["platforms"]["linux/amd64"]["packages"]))' "$WORK/set.json")
expect_eq "chosen set" "$got" "app=1.0 libbase=0.9 libfoo1=1.2 provider=5.0"
# Every .deb in the cache is the server's, byte for byte.
for deb in "$R"/repo/pool/main/{app_1.0,libbase_0.9,libfoo1_1.2,provider_5.0}_amd64.deb; do
  sha=$(sha256sum "$deb" | cut -d' ' -f1)
  cmp -s "$deb" "$CACHE/blobs/sha256/$sha" || fail "$(basename "$deb") is not in the cache"
  grep -q "\"sha256\": \"$sha\"" "$APP/distill.lock" || fail "$(basename "$deb") is not locked"
done
grep -q "\"url\": \"$MIRROR/dists/stable/InRelease\"" "$APP/distill.lock" || fail "no Release in lock"
cp "$APP/distill.lock" "$WORK/lock.1"
# -d explain shows each package's chain.
distill_lock -d explain 2>"$WORK/explain" || fail "lock -d explain"
grep -qx 'distill: explain: provider 5.0 (amd64, stable): app → provider' "$WORK/explain" ||
  fail "explain: $(cat "$WORK/explain")"
cmp -s "$APP/distill.lock" "$WORK/lock.1" || fail "the lock is not deterministic"

kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=
distill_lock --offline || fail "lock --offline failed"
cmp -s "$APP/distill.lock" "$WORK/lock.1" || fail "offline lock differs"
# Until packages are layered, build stops after the package passes: any
# failure must come from there, not from fetching.
rc=0
"$DISTILL" build -f "$APP/distill.yaml" --offline --locked --progress=none \
  -o "oci:$WORK/img" >/dev/null 2>"$WORK/err" || rc=$?
if [ $rc != 0 ]; then
  grep -q "'packages' is not supported yet" "$WORK/err" || fail "build --offline: $(cat "$WORK/err")"
fi
# Without the cache, offline names what is missing.
rm -rf "$CACHE/blobs"
expect_error "offline: '(app|libbase|libfoo1|provider)_[^']*_amd64.deb' is not in the cache" \
  distill_lock --offline
ok
