#!/usr/bin/env bash
# The main job on the built-in example: build a minimal image of a small static
# program (examples/hello-static) and run it with podman, printing its output
# and the image's size and digest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
export CONTAINERS_CONF=$PWD/tests/containers.conf
# Lowercase: podman turns an oci: path into an image name.
out=/tmp/distill-demo-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
mkdir -m 700 "$out"
trap 'rm -rf "$out"' EXIT
gcc -static -Os -o "$out/hello" examples/hello-static/hello.c
mkdir -p "$out/ctx" && cp examples/hello-static/distill.yaml "$out/ctx/" && mv "$out/hello" "$out/ctx/"
build/release/distill build -f "$out/ctx/distill.yaml" -o "oci:$out/layout:hello" --json > "$out/result.json"
digest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$out/result.json")
size=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["size"])' "$out/result.json")
echo "== podman run oci:$out/layout:hello"
podman run --rm -q "oci:$out/layout:hello"
podman rmi -f "localhost$out/layout" >/dev/null 2>&1 || true
echo "image digest: $digest"
echo "image size:   $size bytes (config + layers, compressed)"
