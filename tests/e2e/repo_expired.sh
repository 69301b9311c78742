#!/usr/bin/env bash
# A Release whose Valid-Until has passed is refused, as apt refuses it.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/repo_fixture.bash"
repo_build --expired
repo_serve
write_spec app
expect_error "'stable' Release expired on [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} UTC$" distill_lock
expect_nothing_written
ok
