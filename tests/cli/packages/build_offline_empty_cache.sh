# build --offline --locked fails at the package pass, before building.
cat > distill.yaml <<'SPEC'
debian: {mirror: "http://127.0.0.1:9/debian", suite: stable, components: [main]}
packages: [libpq5]
SPEC
"$DISTILL" build --offline --locked --cache cache --progress=none -o oci:img
status=$?
test ! -e img && echo "no image written"
exit $status
