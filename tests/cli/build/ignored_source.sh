# A files entry naming a path that the context's .distillignore excludes.
mkdir build && echo jar > build/app.jar
printf '# outputs\nbuild/\n' > .distillignore
printf 'files:\n  - src: build/app.jar\n    dst: /app/app.jar\n' > spec.yaml
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
