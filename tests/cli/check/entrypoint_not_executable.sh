# The entrypoint is a file without an execute bit (context files keep 0644
# when they have none), so the runtime's execve would fail with EACCES.
printf '#!/bin/sh\necho hi\n' > run.sh
chmod 0644 run.sh
cat > spec.yaml <<'SPEC'
files: [{src: run.sh, dst: /app/run.sh}]
config:
  cmd: ["/app/run.sh"]
SPEC
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
