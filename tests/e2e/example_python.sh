# examples/python: the standard-library web app answers on loopback as
# nonroot; .distillignore keeps junk out of the static/ copy; the code is
# the last layer, the static assets the one below it.
source "$(dirname "$0")/example_lib.bash"
need podman curl skopeo umoci python3
need_mirror
example_build python >/dev/null
# Junk in a third copy of the context must not reach the image.
ctx="$WORK/ctx3"
"$SRCDIR/examples/python/build.sh" "$ctx" >/dev/null
mkdir -p "$ctx/static/__pycache__"; echo x > "$ctx/static/__pycache__/x.cpython-311.pyc"
echo x > "$ctx/static/index.html~"; echo x > "$ctx/static/stale.pyc"
"$DISTILL" build --cache "$SHARED_CACHE" --progress=none -f "$ctx/distill.yaml" -o "oci:$WORK/l3:app" >/dev/null 2>"$WORK/build.err" || { cat "$WORK/build.err" >&2; fail "build with junk"; }
umoci unpack --image "$WORK/l3:app" "$WORK/b" >/dev/null
expect_eq "static files in the image" "$(cd "$WORK/b/rootfs/app/static" && find . | sort | tr '\n' ' ')" ". ./index.html "
expect_eq "user" "$(example_config python User)" "65532"
expect_eq "last layer" "$(example_last_layer python)" "distill files server.py -> /app/server.py"
port=$(free_port)
example_serve python "$port"
got=$(curl -sf "http://127.0.0.1:$port/api/hello?name=distill")
echo "$got" | python3 -c 'import json,sys; j=json.load(sys.stdin); assert j["message"]=="Hello, distill!" and j["python"].startswith("3."), j' \
  || fail "/api/hello answered '$got'"
curl -sf "http://127.0.0.1:$port/" | grep -q "<h1>Hello from a distill image</h1>" || fail "/ did not serve index.html"
expect_eq "404" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope")" "404"
ok
