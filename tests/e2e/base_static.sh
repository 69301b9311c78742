# static: a static program reads the CA bundle; accounts, variants, no shell.
source "$(dirname "$0")/lib.bash"
need podman skopeo umoci gcc
need_mirror
mkdir -p "$WORK/ctx"
cat > "$WORK/ctx/certs.c" <<'C'
#include <stdio.h>
#include <string.h>
int main(void) {
  FILE* f = fopen("/etc/ssl/certs/ca-certificates.crt", "r");
  if (!f) { perror("open bundle"); return 1; }
  char line[4096]; int n = 0;
  while (fgets(line, sizeof line, f)) n += strncmp(line, "-----BEGIN CERTIFICATE-----", 27) == 0;
  printf("%d\n", n);
  return n > 100 ? 0 : 2;
}
C
gcc -static -O2 -o "$WORK/ctx/certs" "$WORK/ctx/certs.c"
cat > "$WORK/ctx/distill.yaml" <<'Y'
base: static:nonroot
files: [{src: certs, dst: /app/certs}]
config: {entrypoint: ["/app/certs"]}
Y
"$DISTILL" build -f "$WORK/ctx/distill.yaml" --cache "$SHARED_CACHE" --progress=none -o "oci:$WORK/app:certs" >/dev/null
n=$(prun "oci:$WORK/app:certs") || fail "the static program could not read the CA bundle"
[ "$n" -gt 100 ] || fail "only $n certificates"
check_variants static
ok
