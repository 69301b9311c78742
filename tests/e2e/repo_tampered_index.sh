#!/usr/bin/env bash
# A Packages index whose bytes do not match the signed Release's SHA256
# (tampered on the server, same size) is refused, and not cached.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/repo_fixture.bash"
repo_build
repo_serve
faults '[{"contains": "/binary-amd64/", "tamper": true}]'
write_spec app
expect_error "'$MIRROR/dists/stable/main/binary-amd64/Packages.xz': sha256 mismatch \(Release says [0-9a-f]{64}, got [0-9a-f]{64}\)$" distill_lock
expect_nothing_written
[ -z "$(ls "$CACHE/indexes/by-hash" 2>/dev/null)" ] || fail "a tampered index was cached"
ok
