# A registry base with a malformed digest is an error at its spec line.
printf 'base: docker://127.0.0.1:9/app@sha256:abc\n' > spec.yaml
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
