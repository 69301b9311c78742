# Two builds of the same spec, at different times, from different
# directories, with different input mtimes, give the same digest (gzip and
# zstd); one changed input byte changes it.
source "$(dirname "$0")/lib.bash"
need gcc
a="$WORK/a"; b="$WORK/elsewhere/b"
make_static_hello "$a" "same bytes"
mkdir -p "$a/data/sub" && echo "config" > "$a/data/sub/app.conf" && ln -s sub/app.conf "$a/data/link"
ln "$a/data/sub/app.conf" "$a/data/hard"
cat > "$a/distill.yaml" <<'Y'
files:
  - {src: hello, dst: /hello}
  - {src: data, dst: /etc/app}
config: {entrypoint: ["/hello"]}
Y
mkdir -p "$(dirname "$b")" && cp -a "$a" "$b"
touch -d '2001-02-03 04:05:06' "$b/hello" "$b/data/sub/app.conf" "$b/data/sub"
for c in gzip zstd; do
  d1=$(build_digest -f "$a/distill.yaml" --compression $c -o "oci:$WORK/l1")
  sleep 1
  d2=$(cd "$WORK" && build_digest -f "$b/distill.yaml" --compression $c -o "oci-archive:$WORK/l2.tar")
  expect_eq "$c digest of the same spec built twice" "$d2" "$d1"
done
cmp -s "$a/hello" "$b/hello" || fail "copies differ"
printf 'x' >> "$b/data/sub/app.conf"
d3=$(build_digest -f "$b/distill.yaml")
[ "$d3" != "$d1" ] || fail "a changed input byte did not change the digest"
# SOURCE_DATE_EPOCH clamps times and changes the digest deterministically.
e1=$(SOURCE_DATE_EPOCH=1700000000 build_digest -f "$a/distill.yaml")
e2=$(SOURCE_DATE_EPOCH=1700000000 build_digest -f "$a/distill.yaml")
expect_eq "digest with SOURCE_DATE_EPOCH" "$e2" "$e1"
ok
