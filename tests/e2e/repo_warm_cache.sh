#!/usr/bin/env bash
# Warm builds (issue 3): a second build reuses the verified Release and the
# cached resolution, reading no index at all, and gives the same digest; a
# new version published by the repository (new Packages, newly signed
# InRelease) is picked up by the next build; a truncated resolution entry is
# ignored and replaced, and the build still succeeds.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/repo_fixture.bash"
need umoci
repo_build
repo_serve
write_spec app

# build NAME: builds into oci:$WORK/img:NAME with plain progress in
# $WORK/NAME.err and prints the digest.
build() {
  "$DISTILL" build -f "$APP/distill.yaml" --progress=plain -o "oci:$WORK/img:$1" \
    2>"$WORK/$1.err" | tail -n 1 || fail "build $1: $(grep -v '^distill: [^e]' "$WORK/$1.err")"
}
entries() { find "$CACHE/entries/$1" -type f 2>/dev/null | wc -l; }

cold=$(build cold)
[[ $cold == sha256:* ]] || fail "no digest from the cold build"
grep -qx 'distill: resolving 1 packages' "$WORK/cold.err" || fail "cold: $(cat "$WORK/cold.err")"
expect_eq "resolution entries" "$(entries resolutions)" 1
expect_eq "verified Releases" "$(entries verified-releases)" 1

# (a) Warm: same digest, with no index in the cache and the server refusing
# every index, so the resolution can only come from its cache entry.
rm -rf "$CACHE/indexes/by-hash" "$CACHE/indexes/text"
faults '[{"contains": "/Packages", "status": 500}]'
warm=$(build warm)
expect_eq "warm digest" "$warm" "$cold"
grep -qx 'distill: resolving 1 packages: cached' "$WORK/warm.err" || fail "warm: $(cat "$WORK/warm.err")"
expect_eq "resolution entries after the warm build" "$(entries resolutions)" 1
expect_eq "verified Releases after the warm build" "$(entries verified-releases)" 1
faults '[]'

# (b) The archive moves on: libfoo1 1.3, a new index and a newly signed
# InRelease. The next build verifies the new Release, resolves again and
# installs the new version.
repo_build --version libfoo1=1.3
new=$(build new)
[ "$new" != "$cold" ] || fail "the digest did not change after libfoo1 1.3 was published"
grep -qx 'distill: resolving 1 packages' "$WORK/new.err" || fail "new: $(cat "$WORK/new.err")"
expect_eq "resolution entries" "$(entries resolutions)" 2
expect_eq "verified Releases" "$(entries verified-releases)" 2
umoci unpack --image "$WORK/img:new" "$WORK/bundle-new" >/dev/null
root=$WORK/bundle-new/rootfs
grep -q '^Version: 1.3$' "$root/var/lib/dpkg/status.d/libfoo1" ||
  fail "status.d/libfoo1: $(cat "$root/var/lib/dpkg/status.d/libfoo1")"
again=$(build again)
expect_eq "digest of a warm build after the update" "$again" "$new"
grep -qx 'distill: resolving 1 packages: cached' "$WORK/again.err" || fail "again: $(cat "$WORK/again.err")"

# (c) A truncated resolution entry is a miss: the build resolves again,
# succeeds with the same digest, and rewrites the entry whole.
for f in $(find "$CACHE/entries/resolutions" -type f); do
  truncate -s 100 "$f"
done
fixed=$(build fixed)
expect_eq "digest after a truncated entry" "$fixed" "$new"
grep -qx 'distill: resolving 1 packages' "$WORK/fixed.err" || fail "fixed: $(cat "$WORK/fixed.err")"
[ "$(grep -c '^distill: warning' "$WORK/fixed.err")" = 0 ] || fail "warnings: $(cat "$WORK/fixed.err")"
final=$(build final)
expect_eq "digest once the entry is rewritten" "$final" "$new"
grep -qx 'distill: resolving 1 packages: cached' "$WORK/final.err" || fail "final: $(cat "$WORK/final.err")"
ok
