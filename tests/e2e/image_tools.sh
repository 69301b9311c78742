# A static program's image is accepted by the real tools: skopeo reads every
# local form, umoci unpacks it, podman loads the docker-archive and runs the
# oci: image, and distill inspect reads all three.
source "$(dirname "$0")/lib.bash"
need skopeo umoci podman gcc
ctx="$WORK/ctx"
make_static_hello "$ctx" "hello from the e2e test"
cat > "$ctx/distill.yaml" <<'Y'
files:
  - src: hello
    dst: /usr/bin/hello
config:
  entrypoint: ["/usr/bin/hello"]
  user: "65532:65532"
  workdir: /
  env: {GREETING: hi}
  ports: ["8080"]
  labels: {org.opencontainers.image.title: e2e}
Y
out="$WORK/out"
mkdir -p "$out"
# The loaded image's name is this run's own (lib.bash removes it), so an image
# another run left or loads at the same time cannot stand in for it.
name="${WORK##*/}:v1"
digest=$(build_digest -f "$ctx/distill.yaml" -o "oci:$out/layout:v1" \
  -o "oci-archive:$out/img.tar:v1" -o "docker-archive:$out/docker.tar:$name")
[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || fail "last stdout line is not a digest: '$digest'"

for ref in "oci:$out/layout:v1" "oci-archive:$out/img.tar:v1"; do
  got=$(skopeo inspect --format '{{.Digest}}' "$ref")
  expect_eq "skopeo digest of $ref" "$got" "$digest"
  expect_eq "skopeo user of $ref" "$(skopeo inspect --config "$ref" | python3 -c 'import json,sys;print(json.load(sys.stdin)["config"]["User"])')" "65532:65532"
done
skopeo inspect "docker-archive:$out/docker.tar" >/dev/null || fail "skopeo cannot read the docker-archive"
skopeo inspect --config "docker-archive:$out/docker.tar" | grep -q '"GREETING=hi"' || fail "docker-archive config lost Env"

umoci unpack --image "$out/layout:v1" "$WORK/bundle" >/dev/null
[ -x "$WORK/bundle/rootfs/usr/bin/hello" ] || fail "umoci unpack did not produce /usr/bin/hello"
expect_eq "unpacked program output" "$("$WORK/bundle/rootfs/usr/bin/hello")" "hello from the e2e test"

podman load -q -i "$out/docker.tar" >/dev/null || fail "podman load failed"
expect_eq "podman run of the loaded image" "$(podman run --rm "$name")" "hello from the e2e test"
expect_eq "podman run of oci:" "$(podman run --rm "oci:$out/layout:v1")" "hello from the e2e test"

for ref in "oci:$out/layout:v1" "oci-archive:$out/img.tar" "docker-archive:$out/docker.tar"; do
  "$DISTILL" inspect "$ref" | grep -q 'Entrypoint:  \["/usr/bin/hello"\]' || fail "distill inspect $ref"
done
expect_eq "inspect --json digest" "$("$DISTILL" inspect --json "oci:$out/layout:v1" | python3 -c 'import json,sys;print(json.load(sys.stdin)["digest"])')" "$digest"
ok
