#!/usr/bin/env bash
# A .deb whose data member is data.tar.lz4, a compression dpkg does not
# accept (deb(5): none, gzip, xz, zstd, bzip2, lzma), published with its true
# SHA256: the build fails with one line naming the .deb and the member, and
# writes nothing.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/repo_fixture.bash"
need lz4
repo_build --bad
repo_serve
expect_bad_deb_refused evil-lz4 \
  "^distill: error: building '.*': 'evil-lz4_1.0_amd64.deb': member 'data.tar.lz4' has an unsupported compression$"
ok
