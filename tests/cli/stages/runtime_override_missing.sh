# DISTILL_RUNTIME naming something that is not there is an error naming it.
printf 'int main(void){return 0;}\n' > t.c
cc -static -o tool t.c || exit 99
cat > spec.yaml <<'Y'
stages:
  build:
    base: scratch
    files: [{src: tool, dst: /tool}]
    run: [[/tool]]
Y
DISTILL_RUNTIME=/nonexistent/runc "$DISTILL" build -f spec.yaml --cache cache -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
