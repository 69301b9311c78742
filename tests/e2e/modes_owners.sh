# Files keep the modes and owners the spec gives; directories created by an
# earlier entry keep their owner and mode when a later layer adds under them;
# symlinks and hardlinks survive.
source "$(dirname "$0")/lib.bash"
need umoci python3
ctx="$WORK/ctx"; mkdir -p "$ctx/home/app" "$ctx/bin"
echo secret > "$ctx/home/app/key"; echo '#!/bin/true' > "$ctx/bin/tool"; chmod 755 "$ctx/bin/tool"
echo data > "$ctx/bin/data"; ln "$ctx/bin/data" "$ctx/bin/data2"; ln -s tool "$ctx/bin/tool-link"
chmod 600 "$ctx/home/app/key"
cat > "$ctx/distill.yaml" <<'Y'
files:
  - {src: home/app, dst: /home/app, owner: "1000:1001"}
  - {src: home/app/key, dst: /home/app/sub/key2, mode: "0400", owner: "1000"}
  - {src: bin, dst: /usr/local/bin}
  - {src: bin/data, dst: /opt/setuid, mode: "4755"}
Y
"$DISTILL" build --progress=none -f "$ctx/distill.yaml" -o "oci:$WORK/layout:t" >/dev/null
umoci unpack --image "$WORK/layout:t" "$WORK/b" >/dev/null
r="$WORK/b/rootfs"
st() { stat -c '%a %u:%g %F' "$r$1"; }
expect_eq "/home/app" "$(st /home/app)" "755 1000:1001 directory"
expect_eq "/home/app/key (mode normalized)" "$(st /home/app/key)" "644 1000:1001 regular file"
expect_eq "/home/app/sub/key2" "$(st /home/app/sub/key2)" "400 1000:1000 regular file"
expect_eq "/home/app after a later layer" "$(st /home/app)" "755 1000:1001 directory"
expect_eq "/usr/local/bin/tool" "$(st /usr/local/bin/tool)" "755 0:0 regular file"
expect_eq "/opt/setuid" "$(st /opt/setuid)" "4755 0:0 regular file"
expect_eq "symlink" "$(readlink "$r/usr/local/bin/tool-link")" "tool"
expect_eq "hardlink inode" "$(stat -c %i "$r/usr/local/bin/data")" "$(stat -c %i "$r/usr/local/bin/data2")"
# The layer tar itself: numeric ids, no names, mtime 0, parents before children.
layer=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]+"/blobs/sha256/"+json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"][7:])); print(m["layers"][1]["digest"][7:])' "$WORK/layout")
listing=$(tar -tvzf "$WORK/layout/blobs/sha256/$layer" --numeric-owner)
echo "$listing" | grep -q '^-r-------- 1000/1000 .* 1970-01-01 00:00 home/app/sub/key2$' || fail "layer listing: $listing"
echo "$listing" | grep -q '^drwxr-xr-x 1000/1001 .* home/app/$' || fail "parent not inherited in layer 2: $listing"
ok
