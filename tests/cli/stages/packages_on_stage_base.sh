# Packages need a Debian base; a stage based on another stage cannot add any.
cat > spec.yaml <<'Y'
stages:
  build: {base: scratch}
  test:
    base: build
    packages: [make]
Y
"$DISTILL" build -f spec.yaml --cache cache -o oci:out
