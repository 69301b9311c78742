# A '#!' script whose interpreter is not in the image (scratch has no
# /bin/sh); the image uses no Debian packages, so no package is looked up.
printf '#!/bin/sh\necho hi\n' > run.sh
chmod 0755 run.sh
cat > spec.yaml <<'SPEC'
files: [{src: run.sh, dst: /app/run.sh}]
config:
  workdir: /app
  entrypoint: ["./run.sh"]
SPEC
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
