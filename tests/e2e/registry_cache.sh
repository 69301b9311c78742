# The registry build cache. Machine A builds with --cache-to; machine B (an
# empty --cache) builds with --cache-from and takes every package layer from
# the registry instead of building it, to the same image digest. The cache
# image is an OCI manifest with distill's config media type. A --cache-from
# that is missing or is not a cache image is a warning and a normal build; a
# tampered cache blob is refused and the layer built; a --cache-to that is
# not a registry is a usage error, and one that cannot be written fails.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/registry_lib.bash"
need skopeo python3
need_mirror
start_registry reg
reg="127.0.0.1:$REG_PORT"
tls=--tls-verify=false
cache="docker://$reg/cache/static:1"

# field JSON_FILE EXPR: a Python expression over the JSON object `j`.
field() { python3 -c 'import json,sys;j=json.load(open(sys.argv[1]));print('"$2"')' "$1"; }
base() { "$DISTILL" base static --progress=none $tls --json "$@"; }

base --cache "$WORK/a" --cache-to "$cache" -o "oci:$WORK/a-out:s" > "$WORK/a.json" 2>"$WORK/err" \
  || { cat "$WORK/err" >&2; fail "machine A"; }
digest=$(field "$WORK/a.json" 'j["digest"]')
built=$(field "$WORK/a.json" 'j["cache"]["built"]')
expect_eq "machine A builds the 4 package layers" "$built" "4"
expect_eq "machine A: nothing from the registry" "$(field "$WORK/a.json" 'j["cache"]["registry"]')" "0"

# The cache image: an OCI manifest whose config is distill's cache config.
skopeo inspect $tls --raw "$cache" > "$WORK/cache-manifest.json"
expect_eq "cache config type" "$(field "$WORK/cache-manifest.json" 'j["config"]["mediaType"]')" "application/vnd.distill.cache.v1+json"
expect_eq "cache layers" "$(field "$WORK/cache-manifest.json" 'len(j["layers"])')" "4"
expect_eq "exported digest" "$(field "$WORK/a.json" 'j["cache"]["exported"]')" \
  "sha256:$(sha256sum < "$WORK/cache-manifest.json" | cut -d' ' -f1)"
skopeo inspect $tls --raw --config "$cache" > "$WORK/cache-config.json" 2>/dev/null \
  || skopeo inspect $tls --config "$cache" > "$WORK/cache-config.json"
expect_eq "cache entries" "$(field "$WORK/cache-config.json" '" ".join(sorted(set(e["kind"] for e in j["entries"]))) + " " + str(len(j["entries"]))')" "layer 4"

# Machine B: an empty cache, the same digest, every package layer pulled.
base --cache "$WORK/b" --cache-from "$cache" -o "oci:$WORK/b-out:s" > "$WORK/b.json" 2>"$WORK/err" \
  || { cat "$WORK/err" >&2; fail "machine B"; }
expect_eq "machine B digest" "$(field "$WORK/b.json" 'j["digest"]')" "$digest"
expect_eq "machine B layers from the registry" "$(field "$WORK/b.json" 'j["cache"]["registry"]')" "$built"
expect_eq "machine B layers built" "$(field "$WORK/b.json" 'j["cache"]["built"]')" "0"
for d in $(field "$WORK/cache-manifest.json" '" ".join(l["digest"][7:] for l in j["layers"])'); do
  grep -q "\"GET /v2/cache/static/blobs/sha256:$d " "$REG_DIR/log" || fail "blob $d was not pulled from the registry"
done
# Machine B again: everything is local now.
base --cache "$WORK/b" --cache-from "$cache" > "$WORK/b2.json"
expect_eq "machine B warm: local" "$(field "$WORK/b2.json" 'j["cache"]["local"]') $(field "$WORK/b2.json" 'j["cache"]["registry"]')" "4 0"

# Not a cache image (the image itself), and a tag that does not exist yet:
# a warning each, and a normal build.
"$DISTILL" copy $tls "oci:$WORK/a-out:s" "docker://$reg/images/static:1" >/dev/null
base --cache "$WORK/c" --cache-from "docker://$reg/images/static:1" --cache-from "docker://$reg/cache/static:nope" \
  > "$WORK/c.json" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "build with bad caches"; }
expect_eq "bad caches: digest" "$(field "$WORK/c.json" 'j["digest"]')" "$digest"
expect_eq "bad caches: all built" "$(field "$WORK/c.json" 'j["cache"]["built"]')" "4"
grep -qxF "distill: warning: --cache-from 'docker://$reg/images/static:1': not a distill cache image (media type 'application/vnd.oci.image.manifest.v1+json', config 'application/vnd.oci.image.config.v1+json'); building without it" "$WORK/err" \
  || fail "not a cache image: $(cat "$WORK/err")"
grep -qxF "distill: warning: --cache-from 'docker://$reg/cache/static:nope': manifest 'nope' not found in '$reg/cache/static'; building without it" "$WORK/err" \
  || fail "missing cache: $(cat "$WORK/err")"

# A tampered cache blob: refused (a warning naming it), the layer is built.
first=$(field "$WORK/cache-manifest.json" 'j["layers"][0]["digest"]')
data="$REG_DIR/data/docker/registry/v2/blobs/sha256/${first:7:2}/${first#sha256:}/data"
printf 'X' | dd of="$data" bs=1 seek=100 conv=notrunc 2>/dev/null
base --cache "$WORK/d" --cache-from "$cache" > "$WORK/d.json" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "tampered cache"; }
expect_eq "tampered cache: digest" "$(field "$WORK/d.json" 'j["digest"]')" "$digest"
expect_eq "tampered cache: built, registry" "$(field "$WORK/d.json" 'j["cache"]["built"]') $(field "$WORK/d.json" 'j["cache"]["registry"]')" "1 3"
grep -qxF "distill: warning: --cache-from '$cache': blob '$first' does not match its digest; building it instead" "$WORK/err" \
  || fail "tampered cache warning: $(cat "$WORK/err")"

# --cache-to must be a registry; an unwritable one fails the command.
rc=0; base --cache "$WORK/d" --cache-to "oci:$WORK/x" >/dev/null 2>"$WORK/err" || rc=$?
expect_eq "--cache-to oci: exit status" "$rc" "2"
expect_eq "--cache-to oci:" "$(cat "$WORK/err")" "distill: error: --cache-to 'oci:$WORK/x': the cache must be a registry image (docker://HOST/REPO[:TAG])"
port=$(free_port)
rc=0; base --cache "$WORK/d" --cache-to "docker://127.0.0.1:$port/x:1" >/dev/null 2>"$WORK/err" || rc=$?
expect_eq "unwritable --cache-to: exit status" "$rc" "1"
grep -qx "distill: error: --cache-to: pushing 'docker://127.0.0.1:$port/x:1': '127.0.0.1:$port': .*" "$WORK/err" \
  || fail "unreachable --cache-to: $(cat "$WORK/err")"
ok
