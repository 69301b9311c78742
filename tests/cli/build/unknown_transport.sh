# An unknown DEST transport is a usage error (exit 2), reported before building.
echo hi > a.txt
printf 'files:\n  - src: a.txt\n    dst: /a.txt\n' > spec.yaml
"$DISTILL" build -f spec.yaml -o ocii:out
status=$?
[ -e out ] && echo "output exists"
exit $status
