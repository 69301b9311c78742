# An `exclude:` pattern that matches nothing in the image is an error at its
# line (a silently useless exclude is a wrong image too); nothing is written.
mkdir -p app/docs && echo x > app/run && echo b > app/docs/b.md
cat > spec.yaml <<'Y'
files:
  - {src: app, dst: /app}
exclude:
  - /app/docs
  - /usr/share/locale/**
Y
"$DISTILL" build -f spec.yaml --progress=none -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
