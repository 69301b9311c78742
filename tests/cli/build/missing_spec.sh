# A spec file that does not exist: one line naming it, exit 1, no output.
"$DISTILL" build -f nope.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
