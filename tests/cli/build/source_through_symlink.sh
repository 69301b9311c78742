# A files entry whose source reaches outside the context through a symlink.
mkdir ctx outside && echo secret > outside/key && ln -s ../outside ctx/link
printf 'files:\n  - {src: link/key, dst: /key}\n' > ctx/spec.yaml
"$DISTILL" build -f ctx/spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
