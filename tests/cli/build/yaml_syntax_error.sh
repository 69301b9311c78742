# A YAML syntax error is reported with file:line:col and a caret.
printf 'base: scratch\nconfig:\n  entrypoint: ["/x"\n  user: "1"\n' > spec.yaml
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
