# Each files entry is its own layer, entries sharing a `layer:` name share
# one (in the order of the name's first entry), and a rebuild after a change
# to one file changes only that file's layer.
mkdir -p lib && echo a > lib/a.jar && echo b > lib/b.jar && echo app > app.jar && echo cfg > app.conf
cat > spec.yaml <<'Y'
files:
  - {src: lib/a.jar, dst: /app/lib/, layer: deps}
  - {src: app.jar, dst: /app/app.jar}
  - {src: lib/b.jar, dst: /app/lib/, layer: deps}
  - {src: app.conf, dst: /app/app.conf}
Y
layers() {
  "$DISTILL" build -f spec.yaml --cache cache --progress=none --json -o oci:out |
    python3 -c 'import json,sys; [print(l["digest"][7:19], l["createdBy"]) for l in json.load(sys.stdin)["layers"]]'
}
layers > first
sed 's/^[0-9a-f]* //' first
echo app2 > app.jar
layers > second
# Which layers changed: only the app.jar one.
paste -d'|' first second | while IFS='|' read -r a b; do
  [ "${a%% *}" = "${b%% *}" ] && echo "same: ${a#* }" || echo "changed: ${a#* }"
done
