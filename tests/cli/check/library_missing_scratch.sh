# A dynamically linked host program on scratch: its loader and libc are
# missing, each reported on its own line, then a count. (The image uses no
# Debian packages, so no package is named.)
cp /bin/true app
cat > spec.yaml <<'SPEC'
platforms: [linux/amd64]
files: [{src: app, dst: /app/true}]
config: {entrypoint: [/app/true]}
SPEC
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
