# A Go program compiled in a build stage (golang-go, CGO_ENABLED=0) runs on
# static.
source "$(dirname "$0")/lib.bash"
need podman runc
[ "$(id -u)" = 0 ] || skip "build stages need root"
need_mirror
ctx="$WORK/ctx"; mkdir -p "$ctx/src"
tag=${WORK##*/}
cat > "$ctx/src/go.mod" <<'G'
module example.org/hello

go 1.19
G
cat > "$ctx/src/main.go" <<G
package main

import (
	"fmt"
	"runtime"
)

func main() { fmt.Printf("hello from go %s ($tag)\n", runtime.GOOS) }
G
cat > "$ctx/distill.yaml" <<'Y'
base: static
stages:
  gobuild:
    packages: [golang-go]
    files: [{src: src, dst: /src}]
    workdir: /src
    env: {CGO_ENABLED: "0", GOCACHE: /tmp/gocache, GOFLAGS: -trimpath}
    run:
      - go build -o /out/hello .
      - ["/out/hello"]
files:
  - {from: gobuild, src: /out/hello, dst: /app/hello}
config: {entrypoint: ["/app/hello"]}
Y
touch "$WORK/marker"
trap 'rc=$?; grep -l "\"stage\": \"gobuild\"" "$SHARED_CACHE"/stages/run-*/stage.json 2>/dev/null |
  while read -r f; do [ "$f" -nt "$WORK/marker" ] && rm -rf "$(dirname "$f")"; done; (exit $rc); _cleanup' EXIT
"$DISTILL" build -f "$ctx/distill.yaml" --cache "$SHARED_CACHE" --progress=none \
  -o "oci:$WORK/app:go" 2>"$WORK/err" >/dev/null || { cat "$WORK/err" >&2; fail "build"; }
expect_eq "Go program from the stage on static" "$(prun "oci:$WORK/app:go")" "hello from go linux ($tag)"
ok
