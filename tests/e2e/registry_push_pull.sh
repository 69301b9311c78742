# Push to a registry without auth (plain http on loopback, --tls-verify=false),
# then the real tools read it: skopeo inspect, podman pull + run; distill
# pulls it back into a layout and an archive with the same digest.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/registry_lib.bash"
need skopeo podman
start_registry reg
digest=$(make_image "$WORK")
reg="127.0.0.1:$REG_PORT"

pushed=$("$DISTILL" copy --tls-verify=false "oci:$WORK/layout:v1" "docker://$reg/e2e/hello:v1" | tail -n 1)
expect_eq "copy digest" "$pushed" "$digest"
built=$(build_digest -f "$WORK/ctx/distill.yaml" --tls-verify=false -o "docker://$reg/e2e/built:v2")
expect_eq "build -o docker:// digest" "$built" "$digest"

for ref in "docker://$reg/e2e/hello:v1" "docker://$reg/e2e/built:v2"; do
  expect_eq "skopeo digest of $ref" "$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "$ref")" "$digest"
done

E2E_PODMAN_IMAGES="$reg/e2e/hello:v1"
podman pull -q --tls-verify=false "$reg/e2e/hello:v1" >/dev/null || fail "podman pull failed"
expect_eq "podman run" "$(podman run --rm "$reg/e2e/hello:v1")" "hello from the registry test"

expect_eq "pull to oci:" "$("$DISTILL" copy --tls-verify=false "docker://$reg/e2e/hello:v1" "oci:$WORK/back:v1" | tail -n 1)" "$digest"
expect_eq "pull by digest to oci-archive:" "$("$DISTILL" copy --tls-verify=false "docker://$reg/e2e/hello@$digest" "oci-archive:$WORK/back.tar:v1" | tail -n 1)" "$digest"
expect_eq "skopeo reads the pulled layout" "$(skopeo inspect --format '{{.Digest}}' "oci:$WORK/back:v1")" "$digest"
cmp "$WORK/layout/blobs/sha256/${digest#sha256:}" "$WORK/back/blobs/sha256/${digest#sha256:}" || fail "manifest bytes changed"
# Archive → registry → docker-archive, and a copy within the registry (mount).
expect_eq "archive push" "$("$DISTILL" copy --tls-verify=false "oci-archive:$WORK/back.tar:v1" "docker://$reg/e2e/from-archive:v1" | tail -n 1)" "$digest"
mounted=$("$DISTILL" copy --json --tls-verify=false "docker://$reg/e2e/hello:v1" "docker://$reg/e2e/mounted:v1" | /usr/bin/python3 -c 'import json,sys;j=json.load(sys.stdin);print(j["blobs"]["mounted"], j["digest"])')
expect_eq "copy within the registry mounts every blob" "$mounted" "2 $digest"
"$DISTILL" copy --tls-verify=false "docker://$reg/e2e/hello:v1" "docker-archive:$WORK/d.tar:hello:v1" >/dev/null
skopeo inspect "docker-archive:$WORK/d.tar" >/dev/null || fail "skopeo cannot read the pulled docker-archive"
ok
