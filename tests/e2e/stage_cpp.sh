# A C++ program compiled in a build stage (g++ installed by the stage root's
# own dpkg, maintainer scripts run) runs on cc. A second build with the same
# inputs runs no stage and gives the same digest; a changed source file
# reruns the stage's commands but not the package installation.
source "$(dirname "$0")/lib.bash"
need podman runc
[ "$(id -u)" = 0 ] || skip "build stages need root"
need_mirror
ctx="$WORK/ctx"; mkdir -p "$ctx/src"
# The greeting names this run, so the stage's inputs are new in the shared
# cache and the first build really runs it.
tag=${WORK##*/}
write_source() {
  cat > "$ctx/src/hello.cc" <<C
#include <iostream>
#include <string>
int main() { std::string who = "$1"; std::cout << "hello from " << who << "\n"; }
C
}
write_source "$tag"
cat > "$ctx/distill.yaml" <<'Y'
base: cc
stages:
  cpp:
    packages: [g++]
    files: [{src: src, dst: /src}]
    workdir: /src
    env: {CXXFLAGS: -O2}
    run:
      # c++ is an alternative that g++'s postinst registers: it exists only
      # if maintainer scripts really ran.
      - test "$(readlink /etc/alternatives/c++)" = /usr/bin/g++
      - "dpkg -s g++ | grep -qx 'Status: install ok installed'"
      - c++ $CXXFLAGS -o hello hello.cc && ./hello
files:
  - {from: cpp, src: /src/hello, dst: /app/hello}
config: {entrypoint: ["/app/hello"]}
Y
build() {
  "$DISTILL" build -f "$ctx/distill.yaml" --cache "$SHARED_CACHE" --progress=plain \
    -o "oci:$WORK/app:$1" 2>"$WORK/$1.err" | tail -n 1 || { cat "$WORK/$1.err" >&2; fail "build $1"; }
}
cleanup_results() {
  # This run's stage results are unique to it: drop them from the shared cache.
  grep -l "\"stage\": \"cpp\"" "$SHARED_CACHE"/stages/run-*/stage.json 2>/dev/null |
    while read -r f; do [ "$f" -nt "$WORK/marker" ] && rm -rf "$(dirname "$f")"; done || true
}
touch "$WORK/marker"; trap 'rc=$?; cleanup_results; (exit $rc); _cleanup' EXIT
d1=$(build one)
grep -q "^distill: \[cpp 3/3\] hello from $tag$" "$WORK/one.err" || { cat "$WORK/one.err" >&2; fail "the stage's output is not shown"; }
expect_eq "C++ program from the stage on cc" "$(prun "oci:$WORK/app:one")" "hello from $tag"
d2=$(build two)
expect_eq "second build's digest" "$d2" "$d1"
grep -qx "distill: stage 'cpp': cached" "$WORK/two.err" || { cat "$WORK/two.err" >&2; fail "the second build does not say the stage is cached"; }
! grep -q '^distill: \[cpp ' "$WORK/two.err" || fail "the second build ran a command"
write_source "$tag changed"
d3=$(build three)
[ "$d3" != "$d1" ] || fail "a changed source gives the same digest"
grep -q '^distill: \[cpp 3/3\] ' "$WORK/three.err" || fail "the changed source did not rerun the stage"
! grep -q "installing .* packages" "$WORK/three.err" || fail "the changed source reinstalled packages"
expect_eq "rebuilt program" "$(prun "oci:$WORK/app:three")" "hello from $tag changed"
ok
