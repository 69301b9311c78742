# An owner given by name on an image without /etc/passwd.
echo hi > a.txt
printf 'files:\n  - {src: a.txt, dst: /a.txt, owner: app}\n' > spec.yaml
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
