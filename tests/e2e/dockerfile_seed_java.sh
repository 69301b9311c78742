# The seed document's Java Dockerfile (examples/seed-java), kept as written,
# built with its build stage mapped to a Debian root with a JDK: the image
# prints the program's greeting in podman, is the java17 base plus one layer,
# and holds no part of the JDK. Needs build stages (a Debian root with
# maintainer scripts run, RUN in an OCI runtime).
source "$(dirname "$0")/lib.bash"
need podman skopeo umoci
need_mirror
ex="$SRCDIR/examples/seed-java"
"$DISTILL" build -f "$ex/Dockerfile" --base-map openjdk:8-jdk-slim=deb:openjdk-17-jdk-headless \
  --cache "$SHARED_CACHE" --progress=none -o "oci:$WORK/app:seed" >"$WORK/build.out" 2>"$WORK/build.err" \
  || { cat "$WORK/build.err" >&2; fail "distill build of examples/seed-java/Dockerfile"; }
expect_eq "podman output" "$(prun "oci:$WORK/app:seed")" "Hello world"
layers() { skopeo inspect --raw "oci:$1" | python3 -c 'import json,sys;print("\n".join(l["digest"] for l in json.load(sys.stdin)["layers"]))'; }
base_image java17 "$WORK/base" >/dev/null
base=$(layers "$WORK/base:java17"); app=$(layers "$WORK/app:seed")
n=$(echo "$base" | wc -l)
expect_eq "java17's layers first" "$(echo "$app" | head -n "$n")" "$base"
expect_eq "layer count" "$(echo "$app" | wc -l)" "$((n + 1))"
umoci unpack --image "$WORK/app:seed" "$WORK/root" >/dev/null
r="$WORK/root/rootfs"
[ -f "$r/app/main.jar" ] || fail "no /app/main.jar"
[ -f "$r/app/examples/HelloJava.class" ] || fail "no /app/examples/HelloJava.class"
# The JDK's own files (javac, jar, jshell, jmods); the JRE has none of them.
jdk=$(find "$r" \( -name javac -o -name jar -o -name jshell -o -name jmods \) -print | head -5)
[ -z "$jdk" ] || fail "JDK files in the image: $jdk"
[ ! -e "$r/bin/sh" ] || fail "the image has /bin/sh"
grep -q '^Package: openjdk-17-jdk' -r "$r/var/lib/dpkg/status.d" 2>/dev/null && fail "the JDK's package is registered in the image"
expect_eq "config" "$(skopeo inspect --config "oci:$WORK/app:seed" | python3 -c 'import json,sys;c=json.load(sys.stdin)["config"];print(c.get("WorkingDir"), c.get("Entrypoint"), c.get("Cmd"))')" "/app ['/usr/bin/java', '-jar'] ['main.jar']"
ok
