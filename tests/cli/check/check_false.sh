# `check: false` turns the run-check off: an image whose entrypoint is not
# in it (it may come from a volume at run time) builds.
echo hi > a.txt
cat > spec.yaml <<'SPEC'
check: false
files: [{src: a.txt, dst: /a.txt}]
config: {entrypoint: [/mnt/tool]}
SPEC
"$DISTILL" build -f spec.yaml -o oci:out >/dev/null
status=$?
[ -f out/index.json ] && echo "image written"
exit $status
