# The run-check looks at the image after `exclude:`: an excluded entrypoint
# is missing, and nothing is written.
mkdir app && printf '#!/bin/sh\n' > app/run && chmod +x app/run
cat > spec.yaml <<'Y'
files:
  - {src: app, dst: /app}
config: {entrypoint: [/app/run]}
exclude: [/app/run]
Y
"$DISTILL" build -f spec.yaml --progress=none -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
