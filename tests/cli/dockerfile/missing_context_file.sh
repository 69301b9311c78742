# COPY of a file that is not in the context: the error names the Dockerfile
# line. The image is scratch plus files, so nothing is downloaded.
mkdir ctx
printf 'FROM scratch\nCOPY hello /hello\nENTRYPOINT ["/hello"]\n' > ctx/Dockerfile
"$DISTILL" build -f ctx/Dockerfile -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
