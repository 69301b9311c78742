# A files entry whose source is not in the context.
printf 'files:\n  - src: app.bin\n    dst: /app/app.bin\n' > spec.yaml
"$DISTILL" build -f spec.yaml -o oci:out -o oci-archive:out.tar
status=$?
[ -e out ] && echo "output exists"
[ -e out.tar ] && echo "archive exists"
exit $status
