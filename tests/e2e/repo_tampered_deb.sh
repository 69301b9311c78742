#!/usr/bin/env bash
# A .deb whose bytes do not match the SHA256 of the signed index is refused
# and never appears in the cache.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/repo_fixture.bash"
repo_build
repo_serve
faults '[{"contains": "libfoo1_", "tamper": true}]'
write_spec app
expect_error "'libfoo1_1.2_amd64.deb': sha256 mismatch \(expected [0-9a-f]{64}, got [0-9a-f]{64}\)$" distill_lock
[ ! -e "$APP/distill.lock" ] || fail "a lock file was written"
sha=$(sha256sum "$R/repo/pool/main/libfoo1_1.2_amd64.deb" | cut -d' ' -f1)
[ ! -e "$CACHE/blobs/sha256/$sha" ] || fail "the tampered .deb is in the cache"
[ -z "$(find "$CACHE/tmp" -type f -name '*' ! -path '*/build-*' 2>/dev/null)" ] || fail "temp files left"
ok
