#!/usr/bin/env bash
# A dependency no version satisfies fails in one line showing the chain.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/repo_fixture.bash"
repo_build
repo_serve
write_spec broken
expect_error "'libfoo1' \(needed by broken\) has no version satisfying '>= 5' \(available: 1.2\)$" distill_lock
expect_nothing_written
ok
