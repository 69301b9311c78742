#!/usr/bin/env bash
# Nothing to compile: Python runs the sources. Copies the example into
# CONTEXT, as the other examples' build.sh do.
# Usage: build.sh [CONTEXT]  (default: this directory)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ctx=${1:-$here}
mkdir -p "$ctx"
[ "$ctx" -ef "$here" ] || cp -r "$here/." "$ctx/"
