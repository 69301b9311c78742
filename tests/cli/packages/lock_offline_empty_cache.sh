# Offline with an empty cache names the Release it lacks.
cat > distill.yaml <<'SPEC'
debian: {mirror: "http://127.0.0.1:9/debian", suite: stable, components: [main]}
packages: [libpq5]
SPEC
"$DISTILL" lock --offline --cache cache --progress=none
status=$?
test ! -e distill.lock && echo "no lock written"
exit $status
