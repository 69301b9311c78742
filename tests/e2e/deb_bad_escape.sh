#!/usr/bin/env bash
# .debs whose data.tar tries to write outside the image root, each published
# with its true SHA256 (the archive itself is the fault): an entry with '..'
# components, an absolute entry, an entry written through the package's own
# symlink, and one written through a symlink of the package below. Each build
# fails with one line naming the .deb and the entry, and writes nothing.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/repo_fixture.bash"
repo_build --bad
repo_serve
expect_bad_deb_refused evil-escape \
  "^distill: error: building '.*': 'evil-escape_1.0_amd64.deb': entry '\.\./\.\./etc/evil' escapes the root$"
expect_bad_deb_refused evil-absolute \
  "^distill: error: building '.*': 'evil-absolute_1.0_amd64.deb': entry '/etc/evil' is absolute$"
expect_bad_deb_refused evil-symlink \
  "^distill: error: building '.*': 'evil-symlink_1.0_amd64.deb': entry 'link/evil' is written through the symlink 'link'$"
expect_bad_deb_refused evil-through \
  "^distill: error: building '.*': 'evil-through_1.0_amd64.deb': entry 'link/evil' is written through the symlink 'link'$" checked-late
ok
