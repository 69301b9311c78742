# dst must be an absolute path in the image.
echo hi > a.txt
printf 'files:\n  - src: a.txt\n    dst: app/a.txt\n' > spec.yaml
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
