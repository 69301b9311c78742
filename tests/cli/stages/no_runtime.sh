# No OCI runtime on the host: the stage fails with a message naming runc and
# crun, and nothing is written. (A scratch stage needs no Debian mirror.)
printf 'int main(void){return 0;}\n' > t.c
cc -static -o tool t.c || exit 99
cat > spec.yaml <<'Y'
stages:
  build:
    base: scratch
    files: [{src: tool, dst: /tool}]
    run: [[/tool]]
files: [{from: build, src: /tool, dst: /tool}]
Y
PATH=/nonexistent "$DISTILL" build -f spec.yaml --cache cache -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
