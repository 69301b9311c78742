# A registry base whose tag is not a tag is an error at its spec line.
printf 'files: []\nbase: "docker://127.0.0.1:9/app:a b"\n' > spec.yaml
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
