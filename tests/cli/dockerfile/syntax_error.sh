# A Dockerfile syntax error (an unterminated quote) names the file and line.
printf 'FROM scratch\nENV A=1 \\\n    B="two words\nCOPY a /a\n' > Dockerfile
"$DISTILL" build -f Dockerfile -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
