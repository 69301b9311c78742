#!/usr/bin/env bash
# An unknown package fails in one line with the nearest names suggested, and
# nothing is written.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/repo_fixture.bash"
repo_build
repo_serve
write_spec ap
expect_error "locking '.*distill.yaml': unknown package 'ap' \(did you mean 'app'\?\)$" distill_lock
expect_nothing_written
ok
