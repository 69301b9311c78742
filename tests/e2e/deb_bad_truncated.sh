#!/usr/bin/env bash
# Truncated .debs published with their true SHA256: one cut in the middle of
# data.tar (its ar header promises more bytes than the file has), one whose
# compressed data.tar is cut but whose ar header matches (only the xz
# decoder can tell). Each build fails with one line naming the .deb and the
# member, and writes nothing; files of data.tar read before the cut leave no
# broken blob in the cache.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/repo_fixture.bash"
repo_build --bad
repo_serve
expect_bad_deb_refused evil-truncated \
  "^distill: error: building '.*': 'evil-truncated_1.0_amd64.deb': truncated ar member 'data.tar.xz'$"
expect_bad_deb_refused evil-short \
  "^distill: error: building '.*': 'evil-short_1.0_amd64.deb': 'data.tar.xz' is truncated or corrupt \(.+\)$"
ok
