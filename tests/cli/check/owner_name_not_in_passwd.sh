# An owner name that the image's /etc/passwd (made from `accounts:`) does
# not list.
echo hi > a.txt
cat > spec.yaml <<'SPEC'
accounts:
  users: [{name: app, uid: 1000}]
files:
  - {src: a.txt, dst: /a.txt, owner: "web:app"}
SPEC
"$DISTILL" build -f spec.yaml -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
