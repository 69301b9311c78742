# `from:` naming a stage that does not exist fails at its line with a suggestion.
cat > spec.yaml <<'Y'
stages:
  build: {base: scratch}
files:
  - {from: biuld, src: /app, dst: /app}
Y
"$DISTILL" build -f spec.yaml --cache cache -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
