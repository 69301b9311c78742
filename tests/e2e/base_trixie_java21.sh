# java21 on trixie: Debian's OpenJDK 21; java -version; the trust store loads
# with > 100 entries; the default charset is UTF-8; a font loads (headless);
# JAVA_VERSION is set. java17 on trixie stops with one line naming the
# missing package and the one to use.
source "$(dirname "$0")/lib.bash"
need podman javac skopeo
need_mirror
source "$SRCDIR/tests/tools/mirror.bash"
curl -sf --max-time 15 -o /dev/null "$(host_mirror)/dists/trixie/InRelease" || skip "the mirror does not serve trixie"
printf 'base: java21\ndebian: {suite: trixie}\n' > "$WORK/j.yaml"
"$DISTILL" build -f "$WORK/j.yaml" --cache "$SHARED_CACHE" --progress=none -o "oci:$WORK/l:java21" >/dev/null 2>"$WORK/build.err" ||
  { cat "$WORK/build.err" >&2; fail "building java21 (trixie)"; }
v=$(prun --entrypoint /usr/bin/java "oci:$WORK/l:java21" --version) || fail "java --version did not run"
[[ $v == "openjdk 21"* ]] || fail "java --version: $v"
env=$(skopeo inspect --config "oci:$WORK/l:java21" | python3 -c "import json,sys;c=json.load(sys.stdin)['config'];print([e for e in c['Env'] if e.startswith('JAVA_VERSION=')][0], c['Entrypoint'])")
[[ $env == "JAVA_VERSION=21."*" ['/usr/bin/java', '-jar']" ]] || fail "config: $env"
mkdir -p "$WORK/src"
cp "$SRCDIR/tests/tools/JavaCheck.java" "$WORK/src/"
javac --release 17 -d "$WORK/src" "$WORK/src/JavaCheck.java"
out=$(prun -v "$WORK/src:/check:ro" --entrypoint /usr/bin/java "oci:$WORK/l:java21" -Djava.awt.headless=true -cp /check JavaCheck) || fail "JavaCheck did not run: $out"
n=$(echo "$out" | sed -n 's/^certs //p')
[ "${n:-0}" -gt 100 ] || fail "trust store: $out"
grep -qx "charset UTF-8" <<<"$out" || fail "charset: $out"
grep -q "^font .* true$" <<<"$out" || fail "font: $out"
grep -qx "runtime 21" <<<"$out" || fail "runtime: $out"

printf 'base: java17\ndebian: {suite: trixie}\n' > "$WORK/j17.yaml"
rc=0
"$DISTILL" build -f "$WORK/j17.yaml" --cache "$SHARED_CACHE" --progress=none -o "oci:$WORK/l17:java17" >/dev/null 2>"$WORK/j17.err" || rc=$?
expect_eq "java17 on trixie: exit status" "$rc" 1
expect_eq "java17 on trixie: stderr" "$(cat "$WORK/j17.err")" \
  "distill: error: building '$WORK/j17.yaml': unknown package 'openjdk-17-jre-headless' (did you mean 'openjdk-21-jre-headless'?)"
[ ! -e "$WORK/l17" ] || fail "java17 on trixie wrote its output"
ok
