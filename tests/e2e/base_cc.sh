# cc: a C++ program with libstdc++ runs; cc's layers are the first layers of
# python3's with the same digests; rebuilding gives the same digest.
source "$(dirname "$0")/lib.bash"
need podman skopeo g++
need_mirror
mkdir -p "$WORK/ctx"
cat > "$WORK/ctx/hello.cc" <<'C'
#include <iostream>
#include <map>
#include <string>
int main() {
  std::map<std::string, int> m{{"libstdc++", 6}};
  for (auto& [k, v] : m) std::cout << k << " " << v << "\n";
}
C
g++ -O2 -o "$WORK/ctx/hello" "$WORK/ctx/hello.cc"
cat > "$WORK/ctx/distill.yaml" <<'Y'
base: cc
files: [{src: hello, dst: /app/hello}]
config: {entrypoint: ["/app/hello"]}
Y
"$DISTILL" build -f "$WORK/ctx/distill.yaml" --cache "$SHARED_CACHE" --progress=none -o "oci:$WORK/app:cc" >/dev/null
expect_eq "C++ program on cc" "$(prun "oci:$WORK/app:cc")" "libstdc++ 6"
d1=$(base_image cc "$WORK/l")
d2=$(base_image cc "$WORK/l2")
expect_eq "cc rebuilt" "$d2" "$d1"
base_image python3 "$WORK/l" >/dev/null
layers() { skopeo inspect --raw "oci:$WORK/l:$1" | python3 -c 'import json,sys;print("\n".join(l["digest"] for l in json.load(sys.stdin)["layers"]))'; }
cc_layers=$(layers cc); py_layers=$(layers python3)
n=$(echo "$cc_layers" | wc -l)
expect_eq "cc layers as python3's first $n" "$(echo "$py_layers" | head -n "$n")" "$cc_layers"
[ "$(echo "$py_layers" | wc -l)" -gt "$n" ] || fail "python3 adds no layers"
check_variants cc
ok
