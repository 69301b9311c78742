# The spec's top-level `exclude:` removes matching image paths from the
# `files:` layers: a directory goes with what is below it, `**` matches at
# any depth, and every other file stays.
mkdir -p app/docs app/lib && echo a > app/lib/a.so && echo b > app/docs/b.md
echo c > app/README.md && echo d > app/lib/NOTES.md && echo x > app/run
cat > spec.yaml <<'Y'
files:
  - {src: app, dst: /app}
exclude: [/app/docs, "/app/**/*.md"]
Y
"$DISTILL" build -f spec.yaml --progress=none -o oci:out >/dev/null || exit 1
python3 - <<'PY'
import json, tarfile
idx = json.load(open("out/index.json"))
m = json.load(open("out/blobs/sha256/" + idx["manifests"][0]["digest"][7:]))
for l in m["layers"]:
    with tarfile.open("out/blobs/sha256/" + l["digest"][7:]) as t:
        for n in t.getnames(): print(n)
PY
