# Build stages through the registry build cache. Machine A builds a spec
# whose stage installs gcc and compiles a program, with --cache-to: the
# cache image holds the stage's package root and run result besides the
# package layers. Machine B (an empty --cache) with --cache-from gets the
# same image digest without installing a package or running a command:
# both results come from the registry. A's second export archives nothing
# again. A tampered stage blob is refused with a warning and the stage is
# run instead, to the same digest. A RUN on a registry image (a Dockerfile)
# comes from the cache too: the result names this machine's image root.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/registry_lib.bash"
need skopeo python3 runc
[ "$(id -u)" = 0 ] || skip "build stages need root"
need_mirror
start_registry reg
reg="127.0.0.1:$REG_PORT"
tls=--tls-verify=false
cache="docker://$reg/cache/stages:1"

field() { python3 -c 'import json,sys;j=json.load(open(sys.argv[1]));print('"$2"')' "$1"; }

ctx="$WORK/ctx"; mkdir -p "$ctx"
# The greeting names this run, so the run result is new to every cache.
tag=${WORK##*/}
printf '#include <stdio.h>\nint main(void){puts("hello from %s");return 0;}\n' "$tag" > "$ctx/hello.c"
cat > "$ctx/distill.yaml" <<'Y'
base: static
stages:
  build:
    packages: [gcc, libc6-dev]
    files: [{src: hello.c, dst: /src/hello.c}]
    workdir: /src
    run:
      - gcc -static -O2 -o hello hello.c
files:
  - {from: build, src: /src/hello, dst: /hello}
config: {entrypoint: ["/hello"]}
Y
# build NAME CACHE_DIR FLAGS...: --json to $WORK/NAME.json, stderr to .err.
build() {
  local name=$1 dir=$2; shift 2
  "$DISTILL" build -f "$ctx/distill.yaml" --cache "$dir" --progress=plain $tls --json "$@" \
    > "$WORK/$name.json" 2>"$WORK/$name.err" || { cat "$WORK/$name.err" >&2; fail "build $name"; }
}
# Machine A starts with the shared cache's .debs and indexes (hardlinked,
# so nothing of this run lands there) but no stage results.
mkdir -p "$WORK/a"
for d in blobs indexes entries; do
  [ ! -d "$SHARED_CACHE/$d" ] || cp -al "$SHARED_CACHE/$d" "$WORK/a/$d"
done
rm -rf "$WORK/a/entries/stage-blobs"

build a "$WORK/a" --cache-to "$cache"
digest=$(field "$WORK/a.json" 'j["digest"]')
expect_eq "machine A: stage results built" "$(field "$WORK/a.json" 'j["cache"]["stages"]["built"]')" "2"
grep -q "^distill: \[build 1/1\] gcc " "$WORK/a.err" || fail "machine A did not run the stage"
grep -q "^distill: archiving stage-root " "$WORK/a.err" || fail "machine A did not archive the root"

# The cache image lists the root and the run result as gzip tar blobs.
skopeo inspect $tls --raw "$cache" > "$WORK/manifest.json"
skopeo inspect $tls --raw --config "$cache" > "$WORK/config.json" 2>/dev/null \
  || skopeo inspect $tls --config "$cache" > "$WORK/config.json"
expect_eq "stage entries" "$(field "$WORK/config.json" '" ".join(sorted(e["kind"] + ":" + e["mediaType"] for e in j["entries"] if e["kind"] != "layer"))')" \
  "stage-root:application/vnd.oci.image.layer.v1.tar+gzip stage-run:application/vnd.oci.image.layer.v1.tar+gzip"
stage_blobs=$(field "$WORK/config.json" '" ".join(e["digest"] for e in j["entries"] if e["kind"] != "layer")')
for d in $stage_blobs; do
  grep -q "\"$d\"" "$WORK/manifest.json" || fail "stage blob $d is not a layer of the cache manifest"
done

# A second export from A: the same cache image, nothing archived again.
build a2 "$WORK/a" --cache-to "$cache"
expect_eq "machine A again: stages local" "$(field "$WORK/a2.json" 'j["cache"]["stages"]["local"]')" "2"
expect_eq "machine A again: same cache image" "$(field "$WORK/a2.json" 'j["cache"]["exported"]')" "$(field "$WORK/a.json" 'j["cache"]["exported"]')"
! grep -q "^distill: archiving " "$WORK/a2.err" || fail "the second export archived again: $(grep archiving "$WORK/a2.err")"

# Machine B: an empty cache. Same digest; both results from the registry;
# no package installed, no command run, no stage .deb fetched.
build b "$WORK/b" --cache-from "$cache"
expect_eq "machine B digest" "$(field "$WORK/b.json" 'j["digest"]')" "$digest"
expect_eq "machine B stages: registry, built" \
  "$(field "$WORK/b.json" 'j["cache"]["stages"]["registry"]') $(field "$WORK/b.json" 'j["cache"]["stages"]["built"]')" "2 0"
grep -qx "distill: stage 'build': packages from the registry cache" "$WORK/b.err" || { cat "$WORK/b.err" >&2; fail "machine B: root not from the registry"; }
grep -qx "distill: stage 'build': from the registry cache" "$WORK/b.err" || { cat "$WORK/b.err" >&2; fail "machine B: run result not from the registry"; }
! grep -Eq "installing [0-9]+ packages|unpacking [0-9]+ essential|^distill: \[build " "$WORK/b.err" \
  || fail "machine B installed or ran something: $(grep -E 'installing|unpacking|\[build ' "$WORK/b.err")"
# The stage root's set is over a hundred packages; static's are 4 and 1.
! grep -Eq "fetching [0-9]{2,} packages" "$WORK/b.err" || fail "machine B fetched the stage's packages: $(grep fetching "$WORK/b.err")"
grep -Eq "fetching [0-9]{2,} packages" "$WORK/a.err" || fail "machine A did not fetch the stage's packages: $(grep fetching "$WORK/a.err")"
for d in $stage_blobs; do
  grep -q "\"GET /v2/cache/stages/blobs/$d " "$REG_DIR/log" || fail "stage blob $d was not pulled from the registry"
done
[ -x "$WORK/b/stages/run-$(field "$WORK/config.json" '[e["key"] for e in j["entries"] if e["kind"] == "stage-run"][0]')/rootfs/src/hello" ] \
  || fail "machine B's run result has no /src/hello"

# A tampered run result: refused, a warning naming it, the stage's command
# runs on the root from the registry, and the image is the same.
run_blob=$(field "$WORK/config.json" '[e["digest"] for e in j["entries"] if e["kind"] == "stage-run"][0]')
data="$REG_DIR/data/docker/registry/v2/blobs/sha256/${run_blob:7:2}/${run_blob#sha256:}/data"
printf 'X' | dd of="$data" bs=1 seek=100 conv=notrunc 2>/dev/null
build c "$WORK/c" --cache-from "$cache"
expect_eq "tampered: digest" "$(field "$WORK/c.json" 'j["digest"]')" "$digest"
grep -qxF "distill: warning: --cache-from '$cache': blob '$run_blob' does not match its digest; building it instead" "$WORK/c.err" \
  || { cat "$WORK/c.err" >&2; fail "tampered: no warning"; }
grep -qx "distill: stage 'build': packages from the registry cache" "$WORK/c.err" || fail "tampered: root not from the registry"
grep -q "^distill: \[build 1/1\] gcc " "$WORK/c.err" || fail "tampered: the stage did not run"
expect_eq "tampered: stages registry, built" \
  "$(field "$WORK/c.json" 'j["cache"]["stages"]["registry"]') $(field "$WORK/c.json" 'j["cache"]["stages"]["built"]')" "1 1"

# A Dockerfile whose final stage RUNs on a registry image: the image takes
# only what the RUN changed, found against the unpacked image, which on B
# is B's own (its cache is elsewhere).
"$DISTILL" base python3:debug --cache "$SHARED_CACHE" --progress=none $tls \
  -o "docker://$reg/tools/python:1" >/dev/null || fail "pushing python3:debug"
cat > "$ctx/Dockerfile" <<D
FROM $reg/tools/python:1
RUN ["/busybox/sh", "-c", "echo $tag > /msg.txt"]
D
dbuild() {
  local name=$1 dir=$2; shift 2
  "$DISTILL" build -f "$ctx/Dockerfile" --cache "$dir" --progress=plain $tls --json "$@" \
    > "$WORK/$name.json" 2>"$WORK/$name.err" || { cat "$WORK/$name.err" >&2; fail "build $name"; }
}
dbuild da "$WORK/a" --cache-to "docker://$reg/cache/docker:1"
dbuild db "$WORK/b" --cache-from "docker://$reg/cache/docker:1"
expect_eq "RUN on an image: digest" "$(field "$WORK/db.json" 'j["digest"]')" "$(field "$WORK/da.json" 'j["digest"]')"
expect_eq "RUN on an image: from the registry" "$(field "$WORK/db.json" 'j["cache"]["stages"]["registry"]')" "1"
! grep -q "^distill: \[" "$WORK/db.err" || fail "machine B ran the RUN: $(cat "$WORK/db.err")"
grep -q "\"image_root\": \"$WORK/b/stages/image-" "$WORK"/b/stages/run-*/stage.json || fail "machine B's result names another image root"
ok
