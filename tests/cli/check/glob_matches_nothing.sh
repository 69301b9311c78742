# A `files:` glob that matches no file in the context.
mkdir build
echo x > build/app.txt
cat > spec.yaml <<'SPEC'
files:
  - src: build/*.jar
    dst: /app/
SPEC
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
