# A key this version parses but cannot build yet fails at its line.
printf 'stages:\n  build: {packages: [g++]}\n' > spec.yaml
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
