# The spec's top-level `exclude:` against the real mirror: the files it names
# are absent from the image netbase is installed in, the package's other
# files and its status.d record are there. Package layers are cached per
# exclude list: the same .deb without `exclude:` gives the whole package, and
# the excluded build again gives the same digest. A pattern that matches
# nothing is an error at its line, and nothing is written.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/mirror.bash"
need umoci
need_mirror
mkdir -p "$WORK/app"
cat >"$WORK/app/excluded.yaml" <<'Y'
packages: [netbase]
exclude:
  - /etc/rpc
  - /etc/ether*
  - /usr/share/doc/**
Y
printf 'packages: [netbase]\n' >"$WORK/app/whole.yaml"
build() { build_digest -f "$WORK/app/$1.yaml" --cache "$SHARED_CACHE" -o "oci:$WORK/layout:$1"; }
first=$(build excluded) || fail "build with exclude failed"
umoci unpack --rootless --image "$WORK/layout:excluded" "$WORK/excluded" >/dev/null
r="$WORK/excluded/rootfs"
for p in /etc/rpc /etc/ethertypes /usr/share/doc/netbase/copyright; do
  [ ! -e "$r$p" ] && [ ! -L "$r$p" ] || fail "$p is in the image despite exclude"
done
for p in /etc/services /etc/protocols /var/lib/dpkg/status.d/netbase; do
  [ -f "$r$p" ] || fail "$p is missing from the image"
done
[ -d "$r/usr/share/doc" ] || fail "/usr/share/doc/** removed the directory itself"
grep -q '^Package: netbase$' "$r/var/lib/dpkg/status.d/netbase" || fail "status.d/netbase is not netbase's"

build whole >/dev/null || fail "build without exclude failed"
umoci unpack --rootless --image "$WORK/layout:whole" "$WORK/whole" >/dev/null
for p in /etc/rpc /etc/ethertypes /usr/share/doc/netbase/copyright /etc/services; do
  [ -f "$WORK/whole/rootfs$p" ] || fail "$p is missing without exclude (a cached excluded layer?)"
done
again=$(build excluded) || fail "second build with exclude failed"
expect_eq "digest of the rebuild with exclude" "$again" "$first"

cat >"$WORK/app/nomatch.yaml" <<'Y'
packages: [netbase]
exclude:
  - /etc/rpc
  - /usr/share/locale/**
Y
rc=0
"$DISTILL" build -f "$WORK/app/nomatch.yaml" --cache "$SHARED_CACHE" --progress=none \
  -o "oci:$WORK/nomatch" >/dev/null 2>"$WORK/err" || rc=$?
expect_eq "exit status of a pattern matching nothing" "$rc" 1
expect_eq "error" "$(head -n 1 "$WORK/err")" \
  "distill: error: $WORK/app/nomatch.yaml:4:5: exclude '/usr/share/locale/**' matches nothing in the image"
[ ! -e "$WORK/nomatch" ] || fail "an image was written for a pattern matching nothing"
ok
