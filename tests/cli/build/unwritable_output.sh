# An output directory the user cannot write to: a clear error and nothing
# left behind. Runs the build as 'nobody' so the check holds under root too.
echo hi > a.txt
printf 'files:\n  - src: a.txt\n    dst: /a.txt\n' > spec.yaml
mkdir locked cache && chmod 555 locked && chmod 777 cache
chmod 755 . && chmod 644 a.txt spec.yaml
setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent \
  XDG_CACHE_HOME="$PWD/cache" "$DISTILL" build -f spec.yaml -o oci:locked/layout -o oci-archive:locked/img.tar 2>&1 >/dev/null | sed 's/^/stderr: /'
status=${PIPESTATUS[0]}
ls -A locked
exit $status
