# dst may not climb above the image root.
echo hi > a.txt
printf 'files:\n  - src: a.txt\n    dst: /app/../../etc/a.txt\n' > spec.yaml
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
