# A misspelt instruction gets a suggestion, at its line.
printf 'FROM scratch\n\nCOPPY hello /hello\n' > Dockerfile
"$DISTILL" build -f Dockerfile -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
