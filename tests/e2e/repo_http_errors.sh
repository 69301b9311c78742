#!/usr/bin/env bash
# A mirror that answers 500 (after retries) or 404, for the Release or a
# .deb, fails in one line naming the URL; nothing is written.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/repo_fixture.bash"
repo_build
repo_serve
write_spec app
faults '[{"contains": "InRelease", "status": 500}]'
expect_error "fetching '$MIRROR/dists/stable/InRelease': HTTP 500$" distill_lock
expect_nothing_written
# No InRelease (404): apt falls back to Release + Release.gpg; so do we.
faults '[{"contains": "/dists/", "status": 404}]'
expect_error "fetching '$MIRROR/dists/stable/Release': HTTP 404$" distill_lock
expect_nothing_written
faults '[{"contains": "provider_", "status": 404}]'
expect_error "'provider_5.0_amd64.deb': '$MIRROR/pool/main/provider_5.0_amd64.deb': http status 404$" distill_lock
[ ! -e "$APP/distill.lock" ] || fail "a lock file was written"
faults '[{"contains": "provider_", "status": 500}]'
expect_error "'provider_5.0_amd64.deb': '$MIRROR/pool/main/provider_5.0_amd64.deb': http status 500$" distill_lock
[ ! -e "$APP/distill.lock" ] || fail "a lock file was written"
ok
