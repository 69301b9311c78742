# cc and base on trixie (merged-/usr): a C++ program built on this host runs
# (its PT_INTERP /lib64/ld-linux-x86-64.so.2 goes through base-files'
# lib64 -> usr/lib64 symlink; trixie's libstdc++ is newer than the host's);
# a program linked to libssl runs on libssl3t64; no layer has an entry under
# an alias directory, which would replace base-files' symlink when the
# layers are applied (formats.md F2).
source "$(dirname "$0")/lib.bash"
need podman skopeo umoci g++ gcc
need_mirror
source "$SRCDIR/tests/tools/mirror.bash"
curl -sf --max-time 15 -o /dev/null "$(host_mirror)/dists/trixie/InRelease" || skip "the mirror does not serve trixie"
[ -f /usr/include/openssl/evp.h ] || skip "libssl-dev is not installed"
mkdir -p "$WORK/ctx"
cat > "$WORK/ctx/hello.cc" <<'C'
#include <iostream>
#include <map>
#include <string>
int main() {
  std::map<std::string, int> m{{"libstdc++", 6}};
  for (auto& [k, v] : m) std::cout << k << " " << v << "\n";
}
C
g++ -O2 -o "$WORK/ctx/hello" "$WORK/ctx/hello.cc"
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
interp=$(readelf -l "$WORK/ctx/hello" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
expect_eq "PT_INTERP" "$interp" "/lib64/ld-linux-x86-64.so.2"

build() {  # build BASE PROGRAM TAG
  printf 'base: %s\ndebian: {suite: trixie}\nfiles: [{src: %s, dst: /app/%s}]\nconfig: {entrypoint: ["/app/%s"]}\n' \
    "$1" "$2" "$2" "$2" > "$WORK/ctx/$3.yaml"
  "$DISTILL" build -f "$WORK/ctx/$3.yaml" --cache "$SHARED_CACHE" --progress=none -o "oci:$WORK/app:$3" >/dev/null 2>"$WORK/build.err" ||
    { cat "$WORK/build.err" >&2; fail "building on $1 (trixie)"; }
}
build cc hello cc
expect_eq "C++ program on cc" "$(prun "oci:$WORK/app:cc")" "libstdc++ 6"
build base ssl base
out=$(prun "oci:$WORK/app:base") || fail "the libssl program did not run"
[[ $out == "OpenSSL 3."*" ba7816bf" ]] || fail "unexpected output '$out'"
[[ $out != "OpenSSL 3.0."* ]] || fail "host's OpenSSL 3.0, not trixie's: '$out'"

umoci unpack --image "$WORK/app:cc" "$WORK/u" >/dev/null
r=$WORK/u/rootfs
for alias in bin sbin lib lib64; do
  expect_eq "/$alias" "$(readlink "$r/$alias")" "usr/$alias"
done
[ -f "$r/usr/lib/x86_64-linux-gnu/libc.so.6" ] || fail "libc.so.6 is not under /usr/lib"
[ -e "$r/lib64/ld-linux-x86-64.so.2" ] || fail "the loader is not reachable at /lib64"
for p in libc6 libssl3t64 libstdc++6 libgcc-s1 libgomp1; do
  [ -f "$r/var/lib/dpkg/status.d/$p" ] || fail "no status.d entry for $p"
done
# Every layer tar: an alias path may only be base-files' symlink itself.
python3 - "$WORK/app" cc <<'PY' || fail "an entry under an alias directory"
import json, os, sys, tarfile
layout, tag = sys.argv[1], sys.argv[2]
blob = lambda d: os.path.join(layout, "blobs", *d.split(":"))
index = json.load(open(os.path.join(layout, "index.json")))
desc = next(m for m in index["manifests"]
            if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag)
aliases = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
bad = []
for layer in json.load(open(blob(desc["digest"])))["layers"]:
    with tarfile.open(blob(layer["digest"])) as t:
        for m in t:
            p = m.name.lstrip("./").rstrip("/")
            top = p.split("/")[0]
            if top in aliases and (p != top or not m.issym()):
                bad.append(f"{layer['digest'][:19]} {m.name}")
if bad:
    sys.exit("\n".join(bad[:10]))
PY
ok
