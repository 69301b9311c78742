# A Dockerfile with no build stage: FROM a distroless name (mapped to the
# built-in static base, nonroot, bookworm) + COPY of a static program from the
# context + ENTRYPOINT. The image runs in podman as 65532, is the static base
# plus exactly one layer, and two builds give the same digest.
source "$(dirname "$0")/lib.bash"
need podman skopeo umoci gcc
need_mirror
mkdir -p "$WORK/ctx"
printf '#include <stdio.h>\n#include <unistd.h>\nint main(void){printf("hello from a Dockerfile as %%d\\n", (int)getuid());return 0;}\n' > "$WORK/hello.c"
gcc -static -Os -o "$WORK/ctx/hello" "$WORK/hello.c"
cat > "$WORK/ctx/Dockerfile" <<'D'
# syntax=docker/dockerfile:1
ARG SUITE=12
FROM gcr.io/distroless/static-debian${SUITE}:nonroot
ARG APP=hello
WORKDIR /app
COPY --chown=nonroot:nonroot --chmod=0755 ${APP} ./
ENV GREETING=hi
ENTRYPOINT ["/app/hello"]
D
build() { "$DISTILL" build -f "$WORK/ctx/Dockerfile" --cache "$SHARED_CACHE" --progress=none "$@" | tail -n 1; }
d1=$(build -o "oci:$WORK/app:hello") || fail "distill build of the Dockerfile"
expect_eq "podman output" "$(prun "oci:$WORK/app:hello")" "hello from a Dockerfile as 65532"
cfg=$(skopeo inspect --config "oci:$WORK/app:hello" | python3 -c 'import json,sys;c=json.load(sys.stdin)["config"];print(c.get("User"), c.get("WorkingDir"), " ".join(c.get("Entrypoint")), " ".join(e for e in c["Env"] if e.startswith("GREETING")))')
expect_eq "config" "$cfg" "65532 /app /app/hello GREETING=hi"
layers() { skopeo inspect --raw "oci:$1" | python3 -c 'import json,sys;print("\n".join(l["digest"] for l in json.load(sys.stdin)["layers"]))'; }
"$DISTILL" base static:nonroot --cache "$SHARED_CACHE" --progress=none -o "oci:$WORK/base:static" >/dev/null || fail "distill base static:nonroot"
base=$(layers "$WORK/base:static"); app=$(layers "$WORK/app:hello")
n=$(echo "$base" | wc -l)
expect_eq "static's layers first" "$(echo "$app" | head -n "$n")" "$base"
expect_eq "layer count" "$(echo "$app" | wc -l)" "$((n + 1))"
umoci unpack --image "$WORK/app:hello" "$WORK/root" >/dev/null
expect_eq "owner and mode of /app/hello" "$(stat -c '%u:%g %a' "$WORK/root/rootfs/app/hello")" "65532:65532 755"
[ ! -e "$WORK/root/rootfs/bin/sh" ] || fail "the image has /bin/sh"
d2=$(build -o "oci:$WORK/app2:hello") || fail "second build"
expect_eq "digest of a second build" "$d2" "$d1"
ok
