# `exclude:` patterns are absolute image paths; a relative one (which a
# files entry's `exclude:` would take) is an error at its position.
echo x > run
printf 'files: [{src: run, dst: /run}]\nexclude: ["/run", "*.md"]\n' > spec.yaml
"$DISTILL" build -f spec.yaml --progress=none -o oci:out
