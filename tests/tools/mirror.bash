# For tests/e2e/mirror_*.sh and resolver_vs_apt.sh: the host's first apt
# source (read from the apt configuration, never written down here), and a
# skip when it cannot be reached.
host_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '/^URIs:/{print $2; exit}' "$f"
    return
  done
  # Only sources.list (as in a pristine debootstrap/mmdebstrap root), or none:
  # a missing file is no error under set -e.
  awk '/^deb /{for(i=2;i<=NF;i++) if ($i ~ /:\/\//) {print $i; exit}}' /etc/apt/sources.list 2>/dev/null || true
}
host_suite() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '/^Suites:/{print $2; exit}' "$f"
    return
  done
  sed -E 's/\[[^]]*\]//' /etc/apt/sources.list 2>/dev/null | awk '$1 == "deb" {print $3; exit}' || true
}
need_mirror() {
  need curl
  local uri suite
  uri=$(host_mirror)
  suite=$(host_suite)
  [ -n "$uri" ] || skip "no apt source on this host"
  curl -sf --max-time 15 -o /dev/null "$uri/dists/${suite:-stable}/InRelease" ||
    skip "the mirror '$uri' is unreachable"
}
