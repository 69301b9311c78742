# A glob source that matches nothing once .distillignore has had its say.
echo x > debug.log
echo '*.log' > .distillignore
printf 'files:\n  - {src: "*.log", dst: /logs/}\n' > spec.yaml
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
