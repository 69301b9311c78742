# nodejs on trixie: Debian's Node.js 20; tls.rootCertificates has > 100
# entries and an HTTP server answers on loopback.
source "$(dirname "$0")/lib.bash"
need podman curl
need_mirror
source "$SRCDIR/tests/tools/mirror.bash"
curl -sf --max-time 15 -o /dev/null "$(host_mirror)/dists/trixie/InRelease" || skip "the mirror does not serve trixie"
printf 'base: nodejs\ndebian: {suite: trixie}\n' > "$WORK/n.yaml"
"$DISTILL" build -f "$WORK/n.yaml" --cache "$SHARED_CACHE" --progress=none -o "oci:$WORK/l:nodejs" >/dev/null 2>"$WORK/build.err" ||
  { cat "$WORK/build.err" >&2; fail "building nodejs (trixie)"; }
out=$(prun "oci:$WORK/l:nodejs" -e 'console.log(process.versions.node.split(".")[0], require("tls").rootCertificates.length)') || fail "node did not run"
read -r major n <<<"$out"
expect_eq "node major version" "$major" 20
[ "$n" -gt 100 ] || fail "rootCertificates: $n"
port=$((20000 + RANDOM % 20000))
name="${WORK##*/}-node"
podman run -d --rm -q --name "$name" --network=host "oci:$WORK/l:nodejs" -e \
  "require('http').createServer((q,s)=>s.end('hello from distill node')).listen($port,'127.0.0.1')" >/dev/null 2>&1 || fail "podman run -d"
trap 'podman rm -f "$name" >/dev/null 2>&1; _cleanup' EXIT
got=""
for _ in $(seq 50); do got=$(curl -sf "http://127.0.0.1:$port/" 2>/dev/null) && break; sleep 0.2; done
expect_eq "HTTP answer" "$got" "hello from distill node"
ok
