# The run-check and `packages: auto` (issue 5 items 3 and 4) against the real
# mirror: a C program linked with libpq and libcurl, built here, fails the
# check on `base: cc` with a line naming libpq.so.5 and its package (found in
# the suite's Contents index), and nothing is written; with `packages: auto`
# the image gets libpq5 and libcurl4 (and their dependencies), and the
# program runs in podman. The lock records the added packages.
source "$(dirname "$0")/lib.bash"
need podman gcc pkg-config
need_mirror
pkg-config --exists libpq libcurl || skip "libpq-dev and libcurl4-openssl-dev are not installed"
mkdir -p "$WORK/ctx"
cat > "$WORK/ctx/server.c" <<'C'
#include <curl/curl.h>
#include <libpq-fe.h>
#include <stdio.h>
int main(void) {
  printf("libpq %d\n", PQlibVersion());
  printf("curl %s\n", curl_version_info(CURLVERSION_NOW)->version);
  return 0;
}
C
# Link order puts libpq first: the check reports in the loader's order.
gcc -O2 -o "$WORK/ctx/server" "$WORK/ctx/server.c" \
  $(pkg-config --cflags libpq libcurl) -lpq -lcurl
want=$("$WORK/ctx/server")

cat > "$WORK/ctx/distill.yaml" <<'Y'
base: cc
files: [{src: server, dst: /app/server}]
config: {entrypoint: ["/app/server"]}
Y
rc=0
"$DISTILL" build -f "$WORK/ctx/distill.yaml" --cache "$SHARED_CACHE" --progress=none \
  -o "oci:$WORK/out" >"$WORK/out.txt" 2>"$WORK/err" || rc=$?
expect_eq "exit status without auto" "$rc" 1
[ ! -e "$WORK/out" ] || fail "an image was written for a failed check"
first=$(head -n 1 "$WORK/err")
expect_eq "first error line" "$first" \
  "distill: error: $WORK/ctx/distill.yaml:3:22: '/app/server' needs 'libpq.so.5' (package libpq5): add it to packages"
grep -qxF "distill: error: '/app/server' needs 'libcurl.so.4' (package libcurl4): add it to packages" "$WORK/err" ||
  fail "no libcurl line: $(cat "$WORK/err")"
tail -n 1 "$WORK/err" | grep -qF "2 problems stop '/app/server' from running" ||
  fail "no count line: $(cat "$WORK/err")"

# packages: auto adds exactly the packages that ship the missing libraries.
sed -i 's/^base: cc$/base: cc\npackages: auto/' "$WORK/ctx/distill.yaml"
"$DISTILL" build -f "$WORK/ctx/distill.yaml" --cache "$SHARED_CACHE" --progress=plain \
  -o "oci:$WORK/out:auto" >"$WORK/out.txt" 2>"$WORK/err" || fail "auto build: $(cat "$WORK/err")"
grep -qF "packages: auto added libpq5, libcurl4 for amd64" "$WORK/err" ||
  fail "no status line for the added packages: $(cat "$WORK/err")"
# The image's libpq5 and libcurl4 are the mirror's newest, which may be newer
# than this host's: the program must run and report the same major versions.
got=$(prun "oci:$WORK/out:auto") || fail "the program did not run in podman: $got"
expect_eq "program output in podman (major versions)" \
  "$(echo "$got" | sed -E 's/^libpq ([0-9]+)[0-9]{4}$/libpq \1/; s/^curl ([0-9]+)\..*/curl \1/')" \
  "$(echo "$want" | sed -E 's/^libpq ([0-9]+)[0-9]{4}$/libpq \1/; s/^curl ([0-9]+)\..*/curl \1/')"

# The lock records them as requests, so --locked --offline rebuilds the
# same image from the cache without composing twice.
"$DISTILL" lock -f "$WORK/ctx/distill.yaml" --cache "$SHARED_CACHE" --progress=none 2>"$WORK/err" ||
  fail "lock: $(cat "$WORK/err")"
python3 - "$WORK/ctx/distill.lock" <<'PY' || fail "lock requests: $(cat "$WORK/ctx/distill.lock")"
import json, sys
lock = json.load(open(sys.argv[1]))
platform = lock["platforms"]["linux/amd64"]
reqs = platform["requests"]
names = [p["name"] for p in platform["packages"]]
assert reqs[-2:] == ["libpq5", "libcurl4"], reqs
assert "libpq5" in names and "libcurl4" in names, names
PY
d1=$(tail -n 1 "$WORK/out.txt")
d2=$("$DISTILL" build -f "$WORK/ctx/distill.yaml" --cache "$SHARED_CACHE" --progress=none \
  --locked --offline -o "oci:$WORK/out2" 2>"$WORK/err" | tail -n 1) || fail "locked: $(cat "$WORK/err")"
expect_eq "locked offline rebuild" "$d2" "$d1"
ok
