#!/usr/bin/env bash
# After the archive moves on (a newer libfoo1), 'build --locked' fails in one
# line naming the first package that differs; the lock stays as it was.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/repo_fixture.bash"
repo_build
repo_serve
write_spec app
distill_lock || fail "lock failed"
cp "$APP/distill.lock" "$WORK/lock.1"
repo_build --version libfoo1=1.3
expect_error "'$APP/distill.lock' no longer matches the spec: 'libfoo1' is 1.3 now, the lock has 1.2 \(run 'distill lock'\)$" \
  "$DISTILL" build -f "$APP/distill.yaml" --locked --progress=none -o "oci:$WORK/img"
cmp -s "$APP/distill.lock" "$WORK/lock.1" || fail "the lock changed"
[ ! -e "$WORK/img" ] || fail "an image was written"
# A spec asking for more than the lock has fails the same way.
write_spec app libbar
expect_error "no longer matches the spec: 'libbar' 3.0 is needed now, the lock does not have it" \
  "$DISTILL" build -f "$APP/distill.yaml" --locked --progress=none
ok
