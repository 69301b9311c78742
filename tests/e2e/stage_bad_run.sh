# A stage command that exits non-zero fails the build: exit 1, one line
# naming the stage, the command, its spec line and status, the command's
# output shown below it, and no image written. A scratch stage running a
# static binary needs no Debian mirror.
source "$(dirname "$0")/lib.bash"
need gcc runc
[ "$(id -u)" = 0 ] || skip "build stages need root"
ctx="$WORK/ctx"; mkdir -p "$ctx"
cat > "$ctx/fail.c" <<'C'
#include <stdio.h>
int main(void) { puts("compiling..."); fprintf(stderr, "error: something broke\n"); return 3; }
C
gcc -static -o "$ctx/fail" "$ctx/fail.c"
cat > "$ctx/distill.yaml" <<'Y'
stages:
  build:
    base: scratch
    files: [{src: fail, dst: /fail}]
    run:
      - [/fail, --all]
files: [{from: build, src: /out, dst: /out}]
Y
set +e
"$DISTILL" build --progress=none -f "$ctx/distill.yaml" --cache "$WORK/cache" -o "oci:$WORK/out" >"$WORK/stdout" 2>"$WORK/stderr"
status=$?
set -e
expect_eq "exit status" "$status" 1
expect_eq "first line" "$(head -n 1 "$WORK/stderr")" \
  "distill: error: building '$ctx/distill.yaml': stage 'build': command '/fail --all' ($ctx/distill.yaml:6) exited with status 3"
grep -qx "compiling..." "$WORK/stderr" || fail "the command's stdout is not shown"
grep -qx "error: something broke" "$WORK/stderr" || fail "the command's stderr is not shown"
[ ! -s "$WORK/stdout" ] || fail "stdout is not empty: $(cat "$WORK/stdout")"
[ ! -e "$WORK/out" ] || fail "an image was written"
# Nothing is left in the cache's staging area, and no stage result is recorded.
[ -z "$(ls -A "$WORK/cache/tmp")" ] || fail "left in tmp/: $(ls "$WORK/cache/tmp")"
[ ! -d "$WORK/cache/stages" ] || [ -z "$(ls -A "$WORK/cache/stages")" ] || fail "a stage result was recorded"
ok
