#!/usr/bin/env bash
# Builds the wordcount binary with g++ (dynamically linked against the
# libstdc++ and libgcc_s that the cc base ships).
# Usage: build.sh [CONTEXT]  (default: this directory; otherwise the example
# is copied there first, so builds never write into the source tree)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ctx=${1:-$here}
mkdir -p "$ctx"
[ "$ctx" -ef "$here" ] || cp -r "$here/." "$ctx/"
g++ -std=c++17 -O2 -o "$ctx/wordcount.tmp" "$ctx/wordcount.cc"
mv "$ctx/wordcount.tmp" "$ctx/wordcount"
