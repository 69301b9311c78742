# base: a dynamically linked program uses libssl (a SHA-256 through OpenSSL).
source "$(dirname "$0")/lib.bash"
need podman skopeo umoci gcc
need_mirror
[ -f /usr/include/openssl/evp.h ] || skip "libssl-dev is not installed"
mkdir -p "$WORK/ctx"
cat > "$WORK/ctx/ssl.c" <<'C'
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <stdio.h>
int main(void) {
  unsigned char md[32]; unsigned int n;
  EVP_Digest("abc", 3, md, &n, EVP_sha256(), NULL);
  printf("%s %02x%02x%02x%02x\n", OpenSSL_version(OPENSSL_VERSION), md[0], md[1], md[2], md[3]);
  return 0;
}
C
gcc -O2 -o "$WORK/ctx/ssl" "$WORK/ctx/ssl.c" -lcrypto
cat > "$WORK/ctx/distill.yaml" <<'Y'
base: base
files: [{src: ssl, dst: /app/ssl}]
config: {entrypoint: ["/app/ssl"]}
Y
"$DISTILL" build -f "$WORK/ctx/distill.yaml" --cache "$SHARED_CACHE" --progress=none -o "oci:$WORK/app:ssl" >/dev/null
out=$(prun "oci:$WORK/app:ssl") || fail "the libssl program did not run"
[[ $out == "OpenSSL 3."*" ba7816bf" ]] || fail "unexpected output '$out'"
check_variants base
ok
