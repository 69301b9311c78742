# A build killed (SIGKILL) while a stage's command runs leaves nothing
# running: the container is killed and deleted by its reaper; and the next
# build on the same cache removes the dead build's stage and staging
# directories.
source "$(dirname "$0")/lib.bash"
need podman runc
[ "$(id -u)" = 0 ] || skip "build stages need root"
need_mirror
ctx="$WORK/ctx"; mkdir -p "$ctx"
secs=$((2000 + RANDOM % 900))  # this run's own sleep, to find its process
spec() {
  cat > "$ctx/distill.yaml" <<Y
stages:
  wait:
    run: ["echo started-$secs; $1"]
files: []
Y
}
spec "sleep $secs"
"$DISTILL" build -f "$ctx/distill.yaml" --cache "$SHARED_CACHE" --progress=plain \
  -o "oci:$WORK/out" >/dev/null 2>"$WORK/err" &
pid=$!
for _ in $(seq 600); do grep -q "started-$secs" "$WORK/err" && break; kill -0 $pid 2>/dev/null || break; sleep 0.5; done
grep -q "started-$secs" "$WORK/err" || { cat "$WORK/err" >&2; kill -KILL $pid; fail "the stage did not start"; }
ls -d "$SHARED_CACHE"/tmp/stage-*-$pid-* >/dev/null 2>&1 || fail "no stage directory for the running build"
kill -KILL $pid; wait $pid 2>/dev/null || true
gone=0
for _ in $(seq 30); do
  if ! runc list -q | grep -q "^distill-$pid-" && ! pgrep -x -f "sleep $secs" >/dev/null; then gone=1; break; fi
  sleep 0.5
done
[ $gone = 1 ] || { runc list; pgrep -a -f "sleep $secs"; fail "the killed build's container still runs"; }
[ ! -e "$WORK/out" ] || fail "the killed build left an output"
spec true
"$DISTILL" build -f "$ctx/distill.yaml" --cache "$SHARED_CACHE" --progress=none \
  -o "oci:$WORK/out2" >/dev/null 2>"$WORK/err2" || { cat "$WORK/err2" >&2; fail "the next build"; }
! ls -d "$SHARED_CACHE"/tmp/stage-*-$pid-* "$SHARED_CACHE"/tmp/build-$pid-* 2>/dev/null ||
  fail "the next build left the killed build's directories"
ok
