# nodejs: tls.rootCertificates has > 100 entries and an HTTP server answers on
# loopback.
source "$(dirname "$0")/lib.bash"
need podman curl
need_mirror
base_image nodejs "$WORK/l" >/dev/null
n=$(prun "oci:$WORK/l:nodejs" -e 'console.log(require("tls").rootCertificates.length)') || fail "node did not run"
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
