# `base: docker://...`: a built base pushed to the loopback registry is the
# base of an app spec. The app image starts with the base's exact layers,
# inherits its config (User, WorkingDir, Env), resolves an owner name from
# the base's /etc/passwd, skips packages the base already holds, and runs in
# podman. A second build re-resolves the tag and reuses the cache; with the
# registry gone, --offline builds from the cache alone. Bad input: a tampered
# blob, an unknown repository, an unreachable registry, an index without the
# build's platform.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/registry_lib.bash"
need skopeo podman gcc python3 tar
need_mirror
start_registry reg
REG_PID=${SERVER_PIDS##* }
reg="127.0.0.1:$REG_PORT"
tls=--tls-verify=false

# The base: distill's static:nonroot, pushed.
base_digest=$("$DISTILL" base static:nonroot --cache "$SHARED_CACHE" --progress=none $tls \
  -o "docker://$reg/bases/static:1" | tail -n 1)
skopeo inspect $tls --raw "docker://$reg/bases/static:1" > "$WORK/base-manifest.json"
base_layers=$(python3 -c 'import json,sys;print(" ".join(l["digest"] for l in json.load(open(sys.argv[1]))["layers"]))' "$WORK/base-manifest.json")
nbase=$(wc -w <<<"$base_layers")

make_static_hello "$WORK/app" "hello on a registry base"
cat > "$WORK/app/distill.yaml" <<Y
base: docker://$reg/bases/static:1
packages: [tzdata, libc6]
files:
  - src: hello
    dst: /app/hello
    mode: "0755"
    owner: nonroot:nonroot
config:
  entrypoint: ["/app/hello"]
  env: {GREETING: hi}
Y
app="$WORK/app/distill.yaml"
build() { "$DISTILL" build --progress=none $tls "$@"; }
build -f "$app" --cache "$WORK/c1" --json -o "oci:$WORK/out:app" > "$WORK/cold.json" 2>"$WORK/err" \
  || { cat "$WORK/err" >&2; fail "cold build on a registry base"; }
digest=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["digest"])' "$WORK/cold.json")

# The first layers are the base's, byte for byte.
got=$(skopeo inspect --raw "oci:$WORK/out:app" | python3 -c 'import json,sys;print(" ".join(l["digest"] for l in json.load(sys.stdin)["layers"][:'"$nbase"']))')
expect_eq "base layers" "$got" "$base_layers"
for d in $base_layers; do
  cmp "$WORK/out/blobs/sha256/${d#sha256:}" "$REG_DIR/data/docker/registry/v2/blobs/sha256/${d:7:2}/${d#sha256:}/data" \
    || fail "layer $d differs from the registry's blob"
done
# tzdata is in the base at the mirror's version: no layer; libc6 is not: a layer.
created=$(python3 -c 'import json,sys;print("\n".join(l["createdBy"] for l in json.load(open(sys.argv[1]))["layers"][int(sys.argv[2]):]))' "$WORK/cold.json" "$nbase")
grep -q "^distill package libc6 " <<<"$created" || fail "no libc6 layer: $created"
! grep -q "^distill package tzdata " <<<"$created" || fail "tzdata installed again over the base's"

# The config starts from the base's and the spec's config: overrides it.
cfg=$(skopeo inspect --config "oci:$WORK/out:app" | python3 -c '
import json,sys; c=json.load(sys.stdin)["config"]
env=dict(e.split("=",1) for e in c["Env"])
print(c["User"], c["WorkingDir"], env["SSL_CERT_FILE"], env["GREETING"], "PATH" in env, c["Entrypoint"])')
expect_eq "inherited config" "$cfg" "65532 /home/nonroot /etc/ssl/certs/ca-certificates.crt hi True ['/app/hello']"

# The owner name came from the base's /etc/passwd.
last=$(skopeo inspect --raw "oci:$WORK/out:app" | python3 -c 'import json,sys;print(json.load(sys.stdin)["layers"][-1]["digest"][7:])')
owner=$(tar -tzvf "$WORK/out/blobs/sha256/$last" | awk '$NF=="app/hello"{print $2}')
expect_eq "owner of /app/hello" "$owner" "65532/65532"

expect_eq "podman run" "$(prun "oci:$WORK/out:app")" "hello on a registry base"

# Warm: the tag is looked up again, nothing else is pulled, same digest.
expect_eq "warm build" "$(build -f "$app" --cache "$WORK/c1" | tail -n 1)" "$digest"

# A multi-platform base: the build's platform picks the manifest.
mkdir -p "$WORK/multi"
cp "$WORK/app/hello" "$WORK/multi/hello"
printf 'files: [{src: hello, dst: /hello}]\n' > "$WORK/multi/distill.yaml"
build_digest -f "$WORK/multi/distill.yaml" --cache "$WORK/c1" $tls --platform linux/amd64,linux/arm64 \
  -o "docker://$reg/bases/multi:1" >/dev/null
printf 'base: docker://%s/bases/multi:1\nconfig: {cmd: ["/hello"]}\n' "$reg" > "$WORK/multi/app.yaml"
"$DISTILL" build --progress=none $tls --cache "$WORK/c1" -f "$WORK/multi/app.yaml" --platform linux/arm64 \
  -o "oci:$WORK/multi-out:arm" >/dev/null
expect_eq "arm64 from the index" "$(skopeo inspect --config "oci:$WORK/multi-out:arm" | python3 -c 'import json,sys;print(json.load(sys.stdin)["architecture"])')" "arm64"
if "$DISTILL" build --progress=none $tls --cache "$WORK/c1" -f "$WORK/multi/app.yaml" --platform linux/s390x 2>"$WORK/err" >/dev/null; then
  fail "a platform the index lacks was built"
fi
expect_eq "missing platform" "$(cat "$WORK/err")" "distill: error: building '$WORK/multi/app.yaml': pulling base 'docker://$reg/bases/multi:1': no image for platform 'linux/s390x' (the index has linux/amd64, linux/arm64/v8)"

# An unknown repository or tag: one line naming the reference.
sed "s|bases/static:1|nope/none:1|" "$WORK/app/distill.yaml" > "$WORK/app/nope.yaml"
if build --cache "$WORK/c1" -f "$WORK/app/nope.yaml" 2>"$WORK/err" >/dev/null; then fail "unknown base built"; fi
expect_eq "unknown base" "$(cat "$WORK/err")" "distill: error: building '$WORK/app/nope.yaml': pulling base 'docker://$reg/nope/none:1': manifest '1' not found in '$reg/nope/none'"

# The same base without packages (no mirror involved) for the cases below.
printf 'base: docker://%s/bases/static:1\nfiles: [{src: hello, dst: /app/hello}]\n' "$reg" > "$WORK/app/plain.yaml"

# A tampered layer in the registry: a fresh cache refuses it, naming the blob.
first=${base_layers%% *}
data="$REG_DIR/data/docker/registry/v2/blobs/sha256/${first:7:2}/${first#sha256:}/data"
printf 'X' | dd of="$data" bs=1 seek=100 conv=notrunc 2>/dev/null
if build --cache "$WORK/c2" -f "$WORK/app/plain.yaml" 2>"$WORK/err" >/dev/null; then fail "a tampered base layer was used"; fi
expect_eq "tampered blob" "$(cat "$WORK/err")" "distill: error: building '$WORK/app/plain.yaml': pulling base 'docker://$reg/bases/static:1': blob '$first' does not match its digest"
[ -z "$(ls "$WORK/c2/blobs/sha256" | grep -x "${first#sha256:}")" ] || fail "the tampered blob entered the cache"

# The registry goes away: --offline builds from the cache alone; without
# --offline the tag cannot be resolved and the error names the registry.
kill "$REG_PID"; wait "$REG_PID" 2>/dev/null || true
expect_eq "offline build" "$(build -f "$app" --cache "$WORK/c1" --offline | tail -n 1)" "$digest"
if build -f "$app" --cache "$WORK/c1" 2>"$WORK/err" >/dev/null; then fail "built with the registry down"; fi
grep -qx "distill: error: building '$WORK/app/distill.yaml': pulling base 'docker://$reg/bases/static:1': '$reg': .*" "$WORK/err" \
  || fail "unreachable registry: $(cat "$WORK/err")"
expect_eq "unreachable: one line" "$(wc -l < "$WORK/err")" "1"
if build --cache "$WORK/c3" -f "$WORK/app/plain.yaml" --offline 2>"$WORK/err" >/dev/null; then fail "offline build without a cache"; fi
expect_eq "offline, nothing cached" "$(cat "$WORK/err")" "distill: error: building '$WORK/app/plain.yaml': pulling base 'docker://$reg/bases/static:1': the tag's digest is not in the cache (--offline)"
ok
