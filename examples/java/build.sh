#!/usr/bin/env bash
# Builds main.jar (what the article's build stage does: javac, then
# `jar cfe main.jar examples.HelloJava examples/*.class`). Entry times are
# pinned to SOURCE_DATE_EPOCH (zip cannot store times before 1980, so earlier
# ones become 1980-01-01 00:00:02): the same source gives the same jar.
# Usage: build.sh [CONTEXT]  (default: this directory; otherwise the example
# is copied there first, so builds never write into the source tree)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ctx=${1:-$here}
mkdir -p "$ctx"
[ "$ctx" -ef "$here" ] || cp -r "$here/." "$ctx/"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac --release 17 -d "$out" "$ctx"/examples/*.java
epoch=${SOURCE_DATE_EPOCH:-315532802}
[ "$epoch" -ge 315532802 ] || epoch=315532802
date=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
jar --create --file "$ctx/main.jar.tmp" --date="$date" --main-class examples.HelloJava -C "$out" examples
mv "$ctx/main.jar.tmp" "$ctx/main.jar"
