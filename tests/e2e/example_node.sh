# examples/node: the http-module server answers on loopback as nonroot.
source "$(dirname "$0")/example_lib.bash"
need podman curl skopeo python3
need_mirror
example_build node >/dev/null
expect_eq "user" "$(example_config node User)" "65532"
expect_eq "last layer" "$(example_last_layer node)" "distill files server.js -> /app/server.js"
port=$(free_port)
example_serve node "$port"
got=$(curl -sf "http://127.0.0.1:$port/api/hello?name=distill")
echo "$got" | python3 -c 'import json,sys; j=json.load(sys.stdin); assert j["message"]=="Hello, distill!" and j["node"].startswith("v"), j' \
  || fail "/api/hello answered '$got'"
curl -sf "http://127.0.0.1:$port/" | grep -q "^Hello from a distill image (node v" || fail "/ answered wrong"
expect_eq "404" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope")" "404"
ok
