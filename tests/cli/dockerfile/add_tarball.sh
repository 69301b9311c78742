# ADD unpacks a local tar archive (known by content, whatever its name) into
# the destination, keeping its modes and owners; a plain file is copied.
# FROM scratch needs no network.
mkdir -p ctx/tree/bin
printf '#!/bin/sh\necho hi\n' > ctx/tree/bin/tool
chmod 750 ctx/tree/bin/tool
ln -s tool ctx/tree/bin/alias
tar --owner=1000 --group=1000 --mtime=@0 --sort=name -czf ctx/tool.bundle -C ctx/tree bin
printf 'plain\n' > ctx/notes.txt
printf 'FROM scratch\nADD tool.bundle notes.txt /opt/\n' > ctx/Dockerfile
"$DISTILL" build -f ctx/Dockerfile --progress=none --cache cache -o oci:out >/dev/null || exit 1
python3 - <<'P'
import json, subprocess
index = json.load(open("out/index.json"))
manifest = json.load(open("out/blobs/sha256/" + index["manifests"][0]["digest"][7:]))
for layer in manifest["layers"]:
    out = subprocess.run(["tar", "-tvzf", "out/blobs/sha256/" + layer["digest"][7:], "--numeric-owner"],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        f = line.split()
        print(f[0], f[1], " ".join(f[5:]))
P
