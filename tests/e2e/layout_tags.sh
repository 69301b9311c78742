# Writing a second image into an existing layout adds its tag and keeps the
# others; writing the same tag again replaces it.
source "$(dirname "$0")/lib.bash"
need skopeo
ctx="$WORK/ctx"; mkdir -p "$ctx"; echo one > "$ctx/f"
printf 'files: [{src: f, dst: /f}]\n' > "$ctx/distill.yaml"
d1=$(build_digest -f "$ctx/distill.yaml" -o "oci:$WORK/l:one")
echo two > "$ctx/f"
d2=$(build_digest -f "$ctx/distill.yaml" -o "oci:$WORK/l:two")
expect_eq "tag one" "$(skopeo inspect --format '{{.Digest}}' "oci:$WORK/l:one")" "$d1"
expect_eq "tag two" "$(skopeo inspect --format '{{.Digest}}' "oci:$WORK/l:two")" "$d2"
echo three > "$ctx/f"
d3=$(build_digest -f "$ctx/distill.yaml" -o "oci:$WORK/l:one")
expect_eq "tag one replaced" "$(skopeo inspect --format '{{.Digest}}' "oci:$WORK/l:one")" "$d3"
n=$(python3 -c 'import json,sys;print(len(json.load(open(sys.argv[1]))["manifests"]))' "$WORK/l/index.json")
expect_eq "index entries" "$n" "2"
# A directory that is not a layout is refused.
mkdir -p "$WORK/notalayout" && echo x > "$WORK/notalayout/file"
if "$DISTILL" build --progress=none -f "$ctx/distill.yaml" -o "oci:$WORK/notalayout" 2>"$WORK/err"; then fail "wrote into a non-layout dir"; fi
grep -q "exists and is not an OCI image layout" "$WORK/err" || fail "message: $(cat "$WORK/err")"
# Several platforms give an index that skopeo resolves per platform.
d4=$(build_digest -f "$ctx/distill.yaml" --platform linux/amd64,linux/arm64 -o "oci:$WORK/multi:m")
skopeo inspect --raw "oci:$WORK/multi:m" | grep -q '"application/vnd.oci.image.index.v1+json"' || fail "no index"
skopeo --override-arch arm64 inspect "oci:$WORK/multi:m" | grep -q '"Architecture": "arm64"' || fail "arm64 manifest"
ok
