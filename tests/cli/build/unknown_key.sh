# An unknown key gets its position and a suggestion.
printf 'base: scratch\nconfig:\n  entrypiont: ["/x"]\n' > spec.yaml
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
