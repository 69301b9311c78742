# Build stages that start from images: a registry image (FROM HOST/REPO:TAG
# in a Dockerfile, pulled and unpacked) and a built-in base (`base:
# python3:debug` in a spec stage). The registry image's Env reaches the
# commands; the final stage FROM the registry image with a RUN keeps the
# image's layers byte for byte and adds one layer holding only what the RUN
# and COPY changed, with whiteouts for what the RUN deleted. A second build
# reruns nothing and gives the same digest.
# A registry image that does not exist fails naming it.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/registry_lib.bash"
need podman runc skopeo python3 tar
[ "$(id -u)" = 0 ] || skip "build stages need root"
need_mirror
start_registry reg
reg="127.0.0.1:$REG_PORT"
tls=--tls-verify=false

# The "tools" image: distill's python3:debug (python3, busybox), pushed.
"$DISTILL" base python3:debug --cache "$SHARED_CACHE" --progress=none $tls \
  -o "docker://$reg/tools/python:1" >/dev/null || fail "pushing python3:debug"
skopeo inspect $tls --raw "docker://$reg/tools/python:1" > "$WORK/base-manifest.json"
base_layers=$(python3 -c 'import json,sys;print(" ".join(l["digest"] for l in json.load(open(sys.argv[1]))["layers"]))' "$WORK/base-manifest.json")
nbase=$(wc -w <<<"$base_layers")

mkdir -p "$WORK/ctx"
cat > "$WORK/ctx/Dockerfile" <<D
FROM $reg/tools/python:1 AS build
WORKDIR /out
RUN ["python3", "-c", "import os; open('msg.txt', 'w').write('built with ' + os.environ['SSL_CERT_FILE'])"]

FROM $reg/tools/python:1
COPY --from=build /out/msg.txt /app/msg.txt
RUN ["/busybox/sh", "-c", "echo extra > /app/extra.txt && rm -r /usr/share/doc /etc/os-release"]
ENTRYPOINT ["python3", "-c", "import os; print(open('/app/msg.txt').read(), open('/app/extra.txt').read().strip(), os.path.exists('/usr/share/doc'), os.path.exists('/etc/os-release'))"]
D
build() { "$DISTILL" build --progress=none $tls --cache "$SHARED_CACHE" "$@"; }
build -f "$WORK/ctx/Dockerfile" -o "oci:$WORK/out:app" > "$WORK/log1" 2>"$WORK/err1" \
  || { cat "$WORK/err1" >&2; fail "build on a registry image"; }
d1=$(tail -n 1 "$WORK/log1")
expect_eq "podman run" "$(prun "oci:$WORK/out:app")" "built with /etc/ssl/certs/ca-certificates.crt extra False False"

# The image: the registry image's layers, then one layer of the changes.
skopeo inspect --raw "oci:$WORK/out:app" > "$WORK/manifest.json"
got=$(python3 -c 'import json,sys;print(" ".join(l["digest"] for l in json.load(open(sys.argv[1]))["layers"]))' "$WORK/manifest.json")
expect_eq "base layers kept" "$(cut -d' ' -f1-"$nbase" <<<"$got")" "$base_layers"
expect_eq "layer count" "$(wc -w <<<"$got")" "$((nbase + 1))"
last=$(awk '{print $NF}' <<<"$got")
tar -tzf "$WORK/out/blobs/sha256/${last#sha256:}" | sort > "$WORK/last.txt"
expect_eq "the RUN's layer" "$(tr '\n' ' ' < "$WORK/last.txt")" \
  "app/ app/extra.txt app/msg.txt etc/ etc/.wh.os-release usr/ usr/share/ usr/share/.wh.doc "
# The whiteouts are empty regular files, as container engines write them.
tar -tvzf "$WORK/out/blobs/sha256/${last#sha256:}" usr/share/.wh.doc > "$WORK/wh.txt"
case "$(cat "$WORK/wh.txt")" in -*" 0 "*usr/share/.wh.doc) ;; *) fail "whiteout entry: $(cat "$WORK/wh.txt")" ;; esac

# Again: nothing reruns, same digest.
"$DISTILL" build --progress=plain $tls --cache "$SHARED_CACHE" -f "$WORK/ctx/Dockerfile" -o "oci:$WORK/out2:app" > "$WORK/log2" 2>"$WORK/err2" \
  || { cat "$WORK/err2" >&2; fail "second build"; }
expect_eq "second digest" "$(tail -n 1 "$WORK/log2")" "$d1"
expect_eq "stages cached" "$(grep -c "^distill: stage '.*': cached$" "$WORK/err2")" "2"
! grep -q "^distill: \[" "$WORK/err2" || fail "a command ran again: $(cat "$WORK/err2")"

# A spec stage on a built-in base, through a relative --cache path (the
# stage's rootfs reaches runc from the bundle directory); its env makes it
# run every time.
cat > "$WORK/ctx/distill.yaml" <<Y
stages:
  gen:
    base: python3:debug
    env: {RUN_ID: "$$-$RANDOM"}
    run:
      - [python3, -c, "import sys; open('/gen.txt', 'w').write('python ' + sys.version.split()[0])"]
base: static
files:
  - {from: gen, src: /gen.txt, dst: /gen.txt}
Y
(cd "$(dirname "$SHARED_CACHE")" && "$DISTILL" build --progress=none $tls --cache "$(basename "$SHARED_CACHE")" \
  -f "$WORK/ctx/distill.yaml" -o "oci:$WORK/gen:1" >/dev/null 2>"$WORK/err3") \
  || { cat "$WORK/err3" >&2; fail "spec stage on python3:debug"; }
skopeo inspect --raw "oci:$WORK/gen:1" > "$WORK/gen-manifest.json"
glast=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["layers"][-1]["digest"][7:])' "$WORK/gen-manifest.json")
text=$(tar -xzOf "$WORK/gen/blobs/sha256/$glast" gen.txt)
case "$text" in "python 3."*) ;; *) fail "gen.txt: '$text'" ;; esac

# A registry image that does not exist: one line naming it.
sed "s|tools/python:1 AS build|tools/nope:1 AS build|" "$WORK/ctx/Dockerfile" > "$WORK/ctx/Nope"
if build -f "$WORK/ctx/Nope" -o "oci:$WORK/nope:1" >/dev/null 2>"$WORK/err4"; then fail "built from a missing image"; fi
expect_eq "missing image" "$(head -n 1 "$WORK/err4")" "distill: error: $WORK/ctx/Nope:1:1: pulling base 'docker://$reg/tools/nope:1': manifest '1' not found in '$reg/tools/nope' (to build it from Debian packages, map it: --base-map '$reg/tools/nope:1=TARGET')"
expect_eq "the FROM line under it" "$(sed -n 2p "$WORK/err4")" "FROM $reg/tools/nope:1 AS build"
[ ! -e "$WORK/nope" ] || fail "output written after a failed build"
ok
