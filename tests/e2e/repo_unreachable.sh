#!/usr/bin/env bash
# A mirror nobody listens on fails in one line naming the URL.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/repo_fixture.bash"
repo_build
# A port that was free a moment ago: bind, note it, close.
MIRROR=http://127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
write_spec app
expect_error "fetching '$MIRROR/dists/stable/InRelease': '$MIRROR/dists/stable/InRelease': .*[Cc]onnect" distill_lock
expect_nothing_written
ok
