# The entrypoint names a file that no layer puts in the image: the build
# fails at the spec line that sets it, and nothing is written.
echo hi > a.txt
cat > spec.yaml <<'SPEC'
files:
  - {src: a.txt, dst: /app/a.txt}
config:
  entrypoint: [/app/server, --port, "8080"]
SPEC
"$DISTILL" build -f spec.yaml -o oci:out -o oci-archive:out.tar
status=$?
[ -e out ] && echo "output exists"
[ -e out.tar ] && echo "archive exists"
exit $status
