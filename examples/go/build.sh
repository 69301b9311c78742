#!/usr/bin/env bash
# Builds the static clock binary with Debian's Go (CGO_ENABLED=0: no libc;
# -trimpath and no build ID: the same source gives the same binary).
# Usage: build.sh [CONTEXT]  (default: this directory; otherwise the example
# is copied there first, so builds never write into the source tree)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ctx=${1:-$here}
mkdir -p "$ctx"
[ "$ctx" -ef "$here" ] || cp -r "$here/." "$ctx/"
cd "$ctx"
CGO_ENABLED=0 GO111MODULE=off go build -trimpath -ldflags='-s -w -buildid=' -o clock.tmp main.go
mv clock.tmp clock
