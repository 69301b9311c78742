# A misspelt built-in base gets a suggestion.
printf 'base: pyhton3:nonroot\n' > spec.yaml
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
