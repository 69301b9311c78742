# `exclude:` over a registry base (`base: docker://...`): the base's layers
# are used as pulled, so a pattern matching a file in them is an error
# naming the pattern's line and the file, and nothing is written; patterns
# that match only distill's own layers work on such a base. No mirror: the
# base is a files-only image pushed to the loopback registry.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/registry_lib.bash"
need python3
start_registry reg
reg="127.0.0.1:$REG_PORT"
tls=--tls-verify=false
mkdir -p "$WORK/base/etc" "$WORK/app/src/docs"
echo base > "$WORK/base/etc/motd" && echo keep > "$WORK/base/etc/issue"
printf 'files: [{src: etc, dst: /etc}]\n' > "$WORK/base/distill.yaml"
build_digest -f "$WORK/base/distill.yaml" --cache "$WORK/c" $tls -o "docker://$reg/bases/etc:1" >/dev/null ||
  fail "pushing the base"

echo app > "$WORK/app/src/app" && echo doc > "$WORK/app/src/docs/a.md"
cat > "$WORK/app/bad.yaml" <<Y
base: docker://$reg/bases/etc:1
files: [{src: src, dst: /app}]
exclude:
  - /app/docs
  - /etc/motd
Y
rc=0
"$DISTILL" build --progress=none $tls --cache "$WORK/c" -f "$WORK/app/bad.yaml" -o "oci:$WORK/bad" \
  >/dev/null 2>"$WORK/err" || rc=$?
expect_eq "exit status" "$rc" 1
expect_eq "error" "$(head -n 1 "$WORK/err")" \
  "distill: error: $WORK/app/bad.yaml:5:5: exclude '/etc/motd' matches '/etc/motd' of the registry base 'docker://$reg/bases/etc:1', whose layers distill does not rewrite"
[ ! -e "$WORK/bad" ] || fail "an image was written"

sed '/etc\/motd/d' "$WORK/app/bad.yaml" > "$WORK/app/good.yaml"
build_digest $tls --cache "$WORK/c" -f "$WORK/app/good.yaml" -o "oci:$WORK/good:t" >/dev/null ||
  fail "build with exclude on a registry base"
files=$(python3 - "$WORK/good" <<'PY'
import json, sys, tarfile
d = sys.argv[1]
m = json.load(open(d + "/blobs/sha256/" + json.load(open(d + "/index.json"))["manifests"][0]["digest"][7:]))
names = []
for l in m["layers"]:
    with tarfile.open(d + "/blobs/sha256/" + l["digest"][7:]) as t:
        names += [n for n in t.getnames() if t.getmember(n).isfile()]
print(" ".join(sorted(names)))
PY
)
expect_eq "files in the image" "$files" "app/app etc/issue etc/motd"
ok
