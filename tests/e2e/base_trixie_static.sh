# static on trixie (merged-/usr): a static program reads the CA bundle and
# resolves time zones, old names included (tzdata-legacy); the account files
# are distroless's; /bin, /sbin, /lib and /lib64 are base-files' symlinks
# into /usr; os-release says 13; the debug variant's busybox shell runs.
source "$(dirname "$0")/lib.bash"
need podman skopeo umoci gcc
need_mirror
source "$SRCDIR/tests/tools/mirror.bash"
curl -sf --max-time 15 -o /dev/null "$(host_mirror)/dists/trixie/InRelease" || skip "the mirror does not serve trixie"
mkdir -p "$WORK/ctx"
cat > "$WORK/ctx/check.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
int main(void) {
  FILE* f = fopen("/etc/ssl/certs/ca-certificates.crt", "r");
  if (!f) { perror("open bundle"); return 1; }
  char line[4096]; int n = 0;
  while (fgets(line, sizeof line, f)) n += strncmp(line, "-----BEGIN CERTIFICATE-----", 27) == 0;
  printf("certs %d\n", n);
  const char* zones[] = {"America/New_York", "US/Eastern", "Asia/Kolkata", "UTC"};
  for (int i = 0; i < 4; i++) {
    setenv("TZ", zones[i], 1);
    tzset();
    time_t t = 1700000000;  /* 2023-11-14T22:13:20Z */
    char buf[64];
    strftime(buf, sizeof buf, "%H:%M %Z %z", localtime(&t));
    printf("%s %s\n", zones[i], buf);
  }
  return 0;
}
C
gcc -static -O2 -o "$WORK/ctx/check" "$WORK/ctx/check.c"
cat > "$WORK/ctx/distill.yaml" <<'Y'
base: static:nonroot
debian: {suite: trixie}
files: [{src: check, dst: /app/check}]
config: {entrypoint: ["/app/check"]}
Y
"$DISTILL" build -f "$WORK/ctx/distill.yaml" --cache "$SHARED_CACHE" --progress=none -o "oci:$WORK/app:static" >/dev/null 2>"$WORK/build.err" ||
  { cat "$WORK/build.err" >&2; fail "building on static (trixie)"; }
out=$(prun "oci:$WORK/app:static") || fail "the static program did not run"
n=$(echo "$out" | sed -n 's/^certs //p')
[ "${n:-0}" -gt 100 ] || fail "CA bundle: $out"
# glibc falls back to UTC silently for a zone it cannot read, so a missing
# file would show as "22:13 US" rather than failing.
for want in "America/New_York 17:13 EST -0500" "US/Eastern 17:13 EST -0500" \
            "Asia/Kolkata 03:43 IST +0530" "UTC 22:13 UTC +0000"; do
  grep -qxF "$want" <<<"$out" || fail "want '$want' in: $out"
done

umoci unpack --image "$WORK/app:static" "$WORK/u" >/dev/null
r=$WORK/u/rootfs
expect_eq "/etc/passwd" "$(cat "$r/etc/passwd")" "$PASSWD_TEXT"
expect_eq "/etc/group" "$(cat "$r/etc/group")" "$GROUP_TEXT"
for alias in bin sbin lib lib64; do
  expect_eq "/$alias" "$(readlink "$r/$alias")" "usr/$alias"
done
[ ! -e "$r/bin/sh" ] || fail "static has /bin/sh"
[ "$(stat -c %a "$r/tmp")" = 1777 ] || fail "/tmp is not 1777"
grep -qx 'VERSION_ID="13"' "$r/usr/lib/os-release" || fail "os-release: $(cat "$r/usr/lib/os-release")"
expect_eq "/etc/os-release" "$(readlink "$r/etc/os-release")" "../usr/lib/os-release"
for p in base-files netbase tzdata tzdata-legacy media-types; do
  grep -q "^Package: $p\$" "$r/var/lib/dpkg/status.d/$p" || fail "no status.d entry for $p"
done
cfg=$(skopeo inspect --config "oci:$WORK/app:static" | python3 -c "import json,sys;c=json.load(sys.stdin)['config'];print(c.get('User',''), c.get('WorkingDir',''))")
expect_eq "user/workdir" "$cfg" "65532 /home/nonroot"

printf 'base: static:debug\ndebian: {suite: trixie}\n' > "$WORK/debug.yaml"
"$DISTILL" build -f "$WORK/debug.yaml" --cache "$SHARED_CACHE" --progress=none -o "oci:$WORK/dbg:debug" >/dev/null 2>"$WORK/build.err" ||
  { cat "$WORK/build.err" >&2; fail "building static:debug (trixie)"; }
expect_eq "busybox sh" "$(prun --entrypoint /busybox/sh "oci:$WORK/dbg:debug" -c 'echo hi from $0')" "hi from /busybox/sh"
ok
