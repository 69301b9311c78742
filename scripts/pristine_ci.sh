#!/usr/bin/env bash
# Runs CI's test command on a machine that has never seen distill: a pristine
# Debian 12 root (mmdebstrap, variant minbase, plus git and ca-certificates)
# from the Debian mirror of this host's apt sources, the committed HEAD of a
# repository cloned into it, and scripts/test.sh (the README's test command:
# setup.sh's apt-get installs, the asan build, ctest) run there by chroot, as
# root, with an empty environment and HOME. Nothing of the host's user state
# (caches, logins, podman images, installed tools) reaches the tests.
#
# The chroot gets what runc and podman need: its own root bind-mounted onto
# itself (runc's pivot_root wants a mount point), /proc, /sys and /dev (with
# /dev/pts) from the host, and tmpfs on /tmp and /run. Everything runs in
# new mount and PID namespaces (unshare): the mounts are visible to nothing
# else and go with the namespace, and every process started inside is killed
# when the run ends, however it ends. An EXIT trap also unmounts and removes
# the root (unless --keep), and refuses to remove it while anything is still
# mounted below it.
#
# Needs root, unshare (util-linux) and git; installs mmdebstrap with apt-get
# when it is missing. The root lives in a new directory under /var/tmp.
#
# Usage: scripts/pristine_ci.sh [--repo PATH] [--mirror URI] [--keep] [-- CTEST_ARGS...]
#   --repo PATH   the repository whose committed HEAD is tested (default: the
#                 one this script is in); uncommitted changes are not tested
#   --mirror URI  the Debian archive (default: from the host's apt sources)
#   --keep        keep the root afterwards (its path is printed)
#   CTEST_ARGS    passed to scripts/test.sh, i.e. to ctest (e.g. -- -L cli)
# PRESET and CMAKE_BUILD_PARALLEL_LEVEL are passed into the chroot when set.
set -euo pipefail

SUITE=bookworm
CLONE=/src/distill # where the repository is cloned, inside the root

die() {
  echo "pristine_ci: error: $*" >&2
  exit 1
}

# The host's Debian archives from its apt sources (deb822 .sources files and
# one-line .list files): prints "URI SUITE" for each enabled deb source whose
# suite is a Debian one (the host's codename, stable, testing, unstable or
# sid, with or without -updates, -security, -backports).
apt_sources() {
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  {
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      awk 'BEGIN { RS = ""; FS = "\n" }
        {
          types = ""; uris = ""; suites = ""; enabled = "yes"
          for (i = 1; i <= NF; i++) {
            if ($i ~ /^#/) continue
            split($i, kv, ":"); key = tolower(kv[1]); val = substr($i, length(kv[1]) + 2)
            gsub(/^[ \t]+|[ \t]+$/, "", val)
            if (key == "types") types = val
            else if (key == "uris") uris = val
            else if (key == "suites") suites = val
            else if (key == "enabled") enabled = tolower(val)
          }
          if (enabled == "no" || (" " types " ") !~ / deb /) next
          n = split(uris, u, /[ \t]+/); m = split(suites, s, /[ \t]+/)
          for (a = 1; a <= n; a++) for (b = 1; b <= m; b++) print u[a], s[b]
        }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -f "$f" ] || continue
      sed -E 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" { print $2, $3 }'
    done
  } | awk -v c="$codename" '{
      base = $2; sub(/-(updates|security|backports)$/, "", base)
      if ((c != "" && base == c) || base ~ /^(stable|testing|unstable|sid)$/) print $1, $2
    }'
}

# The inner part, in the new namespaces: make the root, clone, mount, chroot.
inner() {
  local repo=$2 commit=$3 mirror=$4 security=$5
  ROOT=$1 # global: the EXIT trap runs after this function has returned
  local root=$ROOT
  shift 5
  # Unmount everything below the root when this part ends (the namespace
  # would drop the mounts anyway; this keeps the order explicit).
  trap 'umount -R "$ROOT" 2>/dev/null || umount -R -l "$ROOT" 2>/dev/null || true' EXIT

  local sources=("deb $mirror $SUITE main" "deb $mirror $SUITE-updates main")
  [ -z "$security" ] || sources+=("deb $security $SUITE-security main")
  echo "pristine_ci: mmdebstrap $SUITE (minbase) from ${sources[*]}"
  mmdebstrap --quiet --variant=minbase --include=git,ca-certificates \
    --customize-hook='[ -s "$1/etc/hosts" ] || printf "127.0.0.1 localhost\n::1 localhost\n" >"$1/etc/hosts"' \
    "$SUITE" "$root" "${sources[@]}"

  echo "pristine_ci: cloning $repo at $commit into $CLONE"
  mkdir -p "$root$CLONE"
  git -C "$root$CLONE" init -q
  git -C "$root$CLONE" fetch -q --no-tags "$repo" "$commit"
  git -C "$root$CLONE" checkout -q --detach FETCH_HEAD

  mount --bind "$root" "$root"
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  mount -t tmpfs -o mode=755 tmpfs "$root/run"

  local env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
    USER=root LOGNAME=root LANG=C.UTF-8 TERM="${TERM:-dumb}")
  [ -z "${PRESET:-}" ] || env+=(PRESET="$PRESET")
  [ -z "${CMAKE_BUILD_PARALLEL_LEVEL:-}" ] || env+=(CMAKE_BUILD_PARALLEL_LEVEL="$CMAKE_BUILD_PARALLEL_LEVEL")
  echo "pristine_ci: running scripts/test.sh $* in the chroot"
  chroot "$root" /usr/bin/env -i "${env[@]}" /bin/bash -c 'cd "$0" && exec scripts/test.sh "$@"' "$CLONE" "$@"
}

if [ "${1:-}" = --inner ]; then
  shift
  inner "$@"
  exit
fi

repo=$(cd "$(dirname "$0")/.." && pwd)
mirror="" keep=0
while (($#)); do
  case $1 in
    --repo) repo=${2:?--repo needs a path}; shift 2 ;;
    --mirror) mirror=${2:?--mirror needs a URI}; shift 2 ;;
    --keep) keep=1; shift ;;
    --) shift; break ;;
    -h | --help) sed -n '/^# Usage/,/^# PRESET/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (ctest arguments go after --)" ;;
  esac
done

[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap, mounts, chroot)"
command -v unshare >/dev/null || die "unshare (util-linux) is not installed"
command -v git >/dev/null || die "git is not installed"
commit=$(git -C "$repo" rev-parse --verify HEAD 2>/dev/null) || die "'$repo' is not a git repository with a commit"
[ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] ||
  echo "pristine_ci: warning: '$repo' has uncommitted changes; testing its HEAD $commit only" >&2
if [ -z "$mirror" ]; then
  mirror=$(apt_sources | awk '$2 !~ /-security$/ { print $1; exit }')
  [ -n "$mirror" ] || die "no Debian archive in the host's apt sources (give one with --mirror)"
  security=$(apt_sources | awk '$2 ~ /-security$/ { print $1; exit }')
else
  security=""
fi
if ! command -v mmdebstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mmdebstrap >/dev/null ||
    die "cannot install mmdebstrap"
fi

work=$(mktemp -d /var/tmp/distill-pristine.XXXXXX)
root="$work/root"
# Mount points at or below the root, as this (the host's) namespace sees them.
mounts_below() { awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo; }
cleanup() {
  local rc=$? pid link
  trap - EXIT INT TERM
  # Processes whose root is the chroot (none once the PID namespace is gone).
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    link=$(readlink "/proc/$pid/root" 2>/dev/null) || continue
    if [ "$link" = "$root" ] || [[ $link == "$root"/* ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  if [ -n "$(mounts_below)" ]; then umount -R "$root" 2>/dev/null || umount -R -l "$root" 2>/dev/null || true; fi
  if [ -n "$(mounts_below)" ]; then
    echo "pristine_ci: error: still mounted below '$root'; not removing '$work':" >&2
    mounts_below >&2
    rc=1
  elif [ $keep = 1 ]; then
    echo "pristine_ci: kept the root in '$root'"
  else
    rm -rf --one-file-system "$work"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

rc=0
unshare --mount --pid --fork --kill-child --mount-proc --propagation private \
  "$(readlink -f "$0")" --inner "$root" "$repo" "$commit" "$mirror" "$security" "$@" || rc=$?
if [ $rc = 0 ]; then
  echo "pristine_ci: scripts/test.sh $* passed in a pristine Debian 12 root ($commit)"
else
  echo "pristine_ci: scripts/test.sh $* failed (exit $rc) in a pristine Debian 12 root ($commit)" >&2
fi
exit $rc
