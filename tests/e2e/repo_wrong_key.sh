#!/usr/bin/env bash
# A Release signed by a key that is not in the keyring is refused.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/repo_fixture.bash"
repo_build --stranger
repo_serve
write_spec app
expect_error "'$MIRROR/dists/stable/InRelease': no valid signature by a key in '.*keyring.gpg'$" distill_lock
expect_nothing_written
ok
