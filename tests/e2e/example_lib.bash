# Helpers for the examples' end-to-end tests (tests/e2e/example_*.sh): each
# builds an example's artifact with its build.sh into a fresh context, builds
# the image twice (the second time from a second copy of the context, which
# must give the same digest), and runs it in podman.
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

# example_build NAME: builds examples/NAME into oci:$WORK/l:NAME; prints the
# image digest. $WORK/NAME.json holds the `--json` result.
example_build() {
  local name=$1 d1 d2
  "$SRCDIR/examples/$name/build.sh" "$WORK/ctx-$name" >/dev/null || fail "examples/$name/build.sh"
  "$DISTILL" build --cache "$SHARED_CACHE" --progress=none --json -f "$WORK/ctx-$name/distill.yaml" \
    -o "oci:$WORK/l:$name" >"$WORK/$name.json" 2>"$WORK/build.err" || { cat "$WORK/build.err" >&2; fail "distill build examples/$name"; }
  d1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$WORK/$name.json")
  # Same sources, another directory, other mtimes: the same image.
  sleep 1
  "$SRCDIR/examples/$name/build.sh" "$WORK/ctx2-$name" >/dev/null || fail "examples/$name/build.sh (again)"
  d2=$("$DISTILL" build --cache "$SHARED_CACHE" --progress=none -f "$WORK/ctx2-$name/distill.yaml" \
    -o "oci:$WORK/l2:$name" 2>"$WORK/build.err" | tail -n 1) || { cat "$WORK/build.err" >&2; fail "second build"; }
  expect_eq "digest of a rebuild of examples/$name" "$d2" "$d1"
  echo "$d1"
}

# The image config's field $2 (User, WorkingDir, ...) of oci:$WORK/l:$1.
example_config() {
  skopeo inspect --config "oci:$WORK/l:$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['config'].get('$2',''))"
}

# createdBy of the image's last layer.
example_last_layer() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][-1]["createdBy"])' "$WORK/$1.json"
}

# A TCP port free on 127.0.0.1 right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# example_serve NAME PORT: runs the image as a daemon on the host network,
# listening on 127.0.0.1:PORT only, and waits until /healthz answers. The
# container is removed when the test exits.
example_serve() {
  local name=$1 port=$2 cname="${WORK##*/}-example-$1"
  podman run -d --rm -q --name "$cname" --network=host -e HOST=127.0.0.1 -e PORT="$port" \
    "oci:$WORK/l:$name" >/dev/null 2>"$WORK/podman.err" || { cat "$WORK/podman.err" >&2; fail "podman run -d"; }
  EXAMPLE_CONTAINER=$cname
  trap 'podman rm -f -t 2 "$EXAMPLE_CONTAINER" >/dev/null 2>&1; _cleanup' EXIT
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  podman logs "$cname" >&2 || true
  fail "examples/$name did not answer on 127.0.0.1:$port"
}
