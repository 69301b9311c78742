#!/usr/bin/env bash
# The resolver against apt itself, the oracle (issue 3, item 5): for each
# package below, distill's chosen set must equal what
#   apt-get install --simulate --no-install-recommends PKG
# installs on an EMPTY dpkg status with this host's apt lists, or the
# difference must be listed in KNOWN with its reason. Names are compared, not
# versions: the host's lists may be older than the Release distill fetches.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/mirror.bash"
need_mirror
need apt-get python3
apt-cache policy python3 2>/dev/null | grep 'Candidate: [0-9]' >/dev/null ||
  skip "no apt lists on this host (run apt-get update)"

PACKAGES=(
  # language runtimes
  python3 openjdk-17-jre-headless default-jre-headless nodejs ruby perl php8.2-cli
  golang-1.19-go busybox bash coreutils
  # servers
  nginx redis-server postgresql-15 mariadb-server apache2 memcached haproxy squid
  openssh-server rsync
  # libraries
  libpq5 fontconfig libcurl4 libssl3 libxml2 libstdc++6 zlib1g libsqlite3-0 libjpeg62-turbo
  libpng16-16 libfreetype6 libicu72 libgomp1 libzstd1 liblz4-1 libbz2-1.0 libffi8
  libyaml-0-2 libgdbm6 libreadline8 libncursesw6 libedit2
  # tools and Python modules
  curl git ca-certificates tzdata python3-yaml python3-requests
)
# PKG → "explanation" for each expected difference (none at the moment:
# every package above resolves exactly as apt does). Example entry:
#   [foo]="apt picks bar for 'bar | baz' because ...; distill keeps the first"
declare -A KNOWN=()

empty=$WORK/empty-status
: >"$empty"
cache=$WORK/resolve-cache
failed=0
for pkg in "${PACKAGES[@]}"; do
  mkdir -p "$WORK/$pkg"
  printf 'packages: [%s]\n' "$pkg" >"$WORK/$pkg/distill.yaml"
  "$DISTILL" lock -f "$WORK/$pkg/distill.yaml" --dry-run --json --cache "$cache" \
    --progress=none >"$WORK/$pkg/set.json" 2>"$WORK/$pkg/err" ||
    fail "$pkg: distill: $(cat "$WORK/$pkg/err")"
  python3 -c 'import json,sys
for p in json.load(open(sys.argv[1]))["platforms"].popitem()[1]["packages"]: print(p["name"])' \
    "$WORK/$pkg/set.json" | sort >"$WORK/$pkg/distill"
  apt-get -s -o Dir::State::status="$empty" -o Debug::NoLocking=1 \
    install --no-install-recommends "$pkg" 2>"$WORK/$pkg/apt-err" |
    awk '/^Inst /{print $2}' | sort >"$WORK/$pkg/apt"
  [ -s "$WORK/$pkg/apt" ] || fail "$pkg: apt chose nothing: $(cat "$WORK/$pkg/apt-err")"
  if ! cmp -s "$WORK/$pkg/apt" "$WORK/$pkg/distill"; then
    d=$(diff "$WORK/$pkg/apt" "$WORK/$pkg/distill" | grep '^[<>]' | tr '\n' ' ')
    if [ -n "${KNOWN[$pkg]:-}" ]; then
      echo "known difference for $pkg: $d (${KNOWN[$pkg]})"
    else
      echo "FAIL: $pkg: apt '<' vs distill '>': $d" >&2
      failed=1
    fi
  fi
done
[ $failed = 0 ] || fail "the resolver disagrees with apt"
echo "${#PACKAGES[@]} packages resolve as apt does"
ok
