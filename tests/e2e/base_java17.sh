# java17: java -version; the trust store loads with > 100 entries; the default
# charset is UTF-8; a font can be loaded (headless).
source "$(dirname "$0")/lib.bash"
need podman javac
need_mirror
base_image java17 "$WORK/l" >/dev/null
v=$(prun --entrypoint /usr/bin/java "oci:$WORK/l:java17" --version) || fail "java --version did not run"
[[ $v == "openjdk 17"* ]] || fail "java --version: $v"
mkdir -p "$WORK/src"
cp "$SRCDIR/tests/tools/JavaCheck.java" "$WORK/src/"
javac --release 17 -d "$WORK/src" "$WORK/src/JavaCheck.java"
out=$(prun -v "$WORK/src:/check:ro" --entrypoint /usr/bin/java "oci:$WORK/l:java17" -Djava.awt.headless=true -cp /check JavaCheck) || fail "JavaCheck did not run: $out"
n=$(echo "$out" | sed -n 's/^certs //p')
[ "${n:-0}" -gt 100 ] || fail "trust store: $out"
grep -qx "charset UTF-8" <<<"$out" || fail "charset: $out"
grep -q "^font .* true$" <<<"$out" || fail "font: $out"
ok
