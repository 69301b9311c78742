#!/usr/bin/env bash
# Against the host's real Debian mirror: resolve and fetch the closure of
# libpq5 (a few MB), check every cached .deb's SHA256 against the lock and
# that dpkg reads it as the package the lock names; then the same set
# resolves offline from the cache.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/mirror.bash"
need_mirror
need dpkg-deb sha256sum python3
mkdir -p "$WORK/app"
printf 'packages: [libpq5]\n' >"$WORK/app/distill.yaml"
"$DISTILL" lock -f "$WORK/app/distill.yaml" --progress=none --json >"$WORK/set.json" ||
  fail "lock failed"
python3 - "$WORK/set.json" "$WORK/app/distill.lock" >"$WORK/debs" <<'PY'
import json, sys
chosen = json.load(open(sys.argv[1]))["platforms"]
lock = json.load(open(sys.argv[2]))["platforms"]
for plat, entry in chosen.items():
    locked = {p["name"]: p for p in lock[plat]["packages"]}
    for p in entry["packages"]:
        assert locked[p["name"]]["sha256"] == p["sha256"], p["name"]
        print(p["path"], p["sha256"], p["name"], p["version"], p["size"])
PY
n=0
while read -r path sha name version size; do
  [ "$(sha256sum "$path" | cut -d' ' -f1)" = "$sha" ] || fail "$name: sha256 mismatch"
  [ "$(stat -c %s "$path")" = "$size" ] || fail "$name: size mismatch"
  [ "$(dpkg-deb --field "$path" Package)" = "$name" ] || fail "$name: wrong package"
  [ "$(dpkg-deb --field "$path" Version)" = "$version" ] || fail "$name: wrong version"
  n=$((n + 1))
done <"$WORK/debs"
[ "$n" -ge 5 ] || fail "only $n packages in the closure of libpq5"
grep -q '"name": "libpq5"' "$WORK/app/distill.lock" || fail "libpq5 not locked"
cp "$WORK/app/distill.lock" "$WORK/lock.1"
"$DISTILL" lock -f "$WORK/app/distill.yaml" --progress=none --offline || fail "offline lock failed"
cmp -s "$WORK/app/distill.lock" "$WORK/lock.1" || fail "offline lock differs"
ok
