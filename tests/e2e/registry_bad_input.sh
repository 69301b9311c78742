# Bad input against a registry: a tag that does not exist, a blob tampered
# with in the registry's storage (the pull fails naming the blob and leaves
# no layout behind), and a host that serves no registry API.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/registry_lib.bash"
start_registry reg
reg="127.0.0.1:$REG_PORT"
digest=$(make_image "$WORK")
"$DISTILL" copy --tls-verify=false "oci:$WORK/layout:v1" "docker://$reg/e2e/hello:v1" >/dev/null

if "$DISTILL" copy --tls-verify=false "docker://$reg/e2e/hello:nope" "oci:$WORK/x:v1" 2>"$WORK/err"; then
  fail "pulling a missing tag succeeded"
fi
expect_eq "missing tag" "$(cat "$WORK/err")" "distill: error: copying 'docker://$reg/e2e/hello:nope' to 'oci:$WORK/x:v1': reading 'docker://$reg/e2e/hello:nope': manifest 'nope' not found in '$reg/e2e/hello'"

# Tamper with the layer: same size, one byte changed.
layer=$(/usr/bin/python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["layers"][0]["digest"])' \
  "$WORK/layout/blobs/sha256/${digest#sha256:}")
hex=${layer#sha256:}
data="$REG_DIR/data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
[ -f "$data" ] || fail "no blob at $data"
printf 'X' | dd of="$data" bs=1 seek=100 conv=notrunc 2>/dev/null
if "$DISTILL" copy --tls-verify=false "docker://$reg/e2e/hello:v1" "oci:$WORK/tampered:v1" 2>"$WORK/err"; then
  fail "pulling a tampered blob succeeded"
fi
grep -q "blob '$layer' does not match its digest" "$WORK/err" || fail "tampered blob: $(cat "$WORK/err")"
[ ! -e "$WORK/tampered" ] || fail "a failed pull left a layout"

# Not a registry: a plain http server answering 404 on /v2/.
port=$(free_port)
/usr/bin/python3 -m http.server --bind 127.0.0.1 "$port" --directory "$WORK/ctx" >/dev/null 2>&1 &
SERVER_PIDS="$SERVER_PIDS $!"
wait_port "$port"
if "$DISTILL" copy --tls-verify=false "docker://127.0.0.1:$port/x/y:v1" "oci:$WORK/y:v1" 2>"$WORK/err"; then
  fail "pulling from a non-registry succeeded"
fi
grep -q "'127.0.0.1:$port' does not serve the registry API (/v2/ answered http 404)" "$WORK/err" || fail "non-registry: $(cat "$WORK/err")"
ok
