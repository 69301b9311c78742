# `packages: auto` with the image's program from a build stage: the stage
# runs before the auto pass looks at the program, so the packages its
# libraries need are added (this failed with "no build stage named 'build'"
# when the package pre-pass composed the image before any stage had run).
source "$(dirname "$0")/lib.bash"
need podman runc
[ "$(id -u)" = 0 ] || skip "build stages need root"
need_mirror
ctx="$WORK/ctx"; mkdir -p "$ctx/src"
tag=${WORK##*/}
cat > "$ctx/src/hello.cc" <<C
#include <iostream>
int main() { std::cout << "auto from $tag" << std::endl; }
C
cat > "$ctx/distill.yaml" <<'Y'
base: static
packages: [auto]
stages:
  build:
    packages: [g++]
    files: [{src: src, dst: /src}]
    workdir: /src
    run: ["c++ -O2 -o hello hello.cc"]
files:
  - {from: build, src: /src/hello, dst: /app/hello}
config: {entrypoint: ["/app/hello"]}
Y
cleanup_results() {
  grep -l '"stage": "build"' "$SHARED_CACHE"/stages/run-*/stage.json 2>/dev/null |
    while read -r f; do [ "$f" -nt "$WORK/marker" ] && rm -rf "$(dirname "$f")"; done || true
}
touch "$WORK/marker"; trap 'rc=$?; cleanup_results; (exit $rc); _cleanup' EXIT
"$DISTILL" build -f "$ctx/distill.yaml" --cache "$SHARED_CACHE" --progress=plain \
  -o "oci:$WORK/app:one" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "build"; }
grep -q '^distill: packages: auto added .*libstdc++6' "$WORK/err" ||
  { cat "$WORK/err" >&2; fail "packages: auto did not add libstdc++6"; }
expect_eq "the stage's program runs with the packages auto added" \
  "$(prun "oci:$WORK/app:one")" "auto from $tag"
ok
