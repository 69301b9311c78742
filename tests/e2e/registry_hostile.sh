# A hostile registry (issue 14): a tiny python server on 127.0.0.1 answers
# the manifest request of a `base: docker://` build with (a) an endless
# manifest, (b) a manifest trickled at 2 KiB/s, (c) nothing at all (a socket
# that accepts and never answers), (d) an error body full of escape
# sequences and newlines. Each build must fail with one escaped error line,
# exit 1, within a bounded time, and stay under 256 MB of resident memory.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/registry_lib.bash"
need python3

cat > "$WORK/server.py" <<'PY'
import http.server, socket, sys, threading, time

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def send(self, status, length, ctype="application/vnd.oci.image.manifest.v1+json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length is not None: self.send_header("Content-Length", str(length))
        self.end_headers()
    def do_GET(self):
        p = self.path
        try:
            if p == "/v2/":
                self.send(200, 2, "application/json"); self.wfile.write(b"{}")
            elif p.startswith("/v2/huge/manifests/"):
                # 600 MiB, made on the fly: never stored, never buffered here.
                self.send(200, 600 << 20)
                chunk = b"{" * (1 << 20)
                for _ in range(600): self.wfile.write(chunk)
            elif p.startswith("/v2/trickle/manifests/"):
                self.send(200, 1 << 20)
                for _ in range(512):
                    self.wfile.write(b" " * 2048); self.wfile.flush(); time.sleep(1)
            elif p.startswith("/v2/escape/manifests/"):
                body = (b'{"errors":[{"code":"DENIED","message":"\\u001b[2J\\u001b]0;pwned\\u0007'
                        b'line one\\nline two\\r\\u001b[31mred"}]}')
                self.send(403, len(body), "application/json"); self.wfile.write(body)
            else:
                self.send(404, 0)
        except (BrokenPipeError, ConnectionResetError):
            pass

def silent(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(16)
    held = []
    while True:
        c, _ = s.accept(); held.append(c)  # accepted, never answered

threading.Thread(target=silent, args=(int(sys.argv[2]),), daemon=True).start()
http.server.ThreadingHTTPServer.daemon_threads = True
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
port=$(free_port)
silent_port=$(free_port)
python3 "$WORK/server.py" "$port" "$silent_port" &
SERVER_PIDS="${SERVER_PIDS:-} $!"
wait_port "$port"
wait_port "$silent_port"

mkdir -p "$WORK/app"
echo hi > "$WORK/app/hello"

measure=()
if [ -x /usr/bin/time ]; then measure=(/usr/bin/time -v -o "$WORK/time"); fi

# hostile NAME HOSTPORT MAX_SECONDS LIMITS...: builds on docker://HOSTPORT/NAME:1
# and checks the failure; the error line is left in $WORK/err.
hostile() {
  local name=$1 hostport=$2 max=$3
  shift 3
  printf 'base: docker://%s/%s:1\nfiles:\n  - src: hello\n    dst: /hello\n' "$hostport" "$name" \
    > "$WORK/app/distill.yaml"
  local start=$SECONDS rc=0
  if [ ${#measure[@]} -eq 0 ]; then
    # No /usr/bin/time: an address-space cap stands in for the RSS check.
    (ulimit -v 1048576; timeout 120 "$DISTILL" build --progress=none --tls-verify=false \
      --cache "$WORK/cache" "$@" -o "oci:$WORK/out-$name:1" -f "$WORK/app/distill.yaml") \
      >/dev/null 2>"$WORK/err" || rc=$?
  else
    timeout 120 "${measure[@]}" "$DISTILL" build --progress=none --tls-verify=false \
      --cache "$WORK/cache" "$@" -o "oci:$WORK/out-$name:1" -f "$WORK/app/distill.yaml" \
      >/dev/null 2>"$WORK/err" || rc=$?
  fi
  local took=$((SECONDS - start))
  # /usr/bin/time appends its report to -o only; a failed command adds a
  # "Command exited with non-zero status" line there too.
  expect_eq "$name: exit code" "$rc" 1
  [ "$(wc -l < "$WORK/err")" -eq 1 ] || fail "$name: not one line: $(cat -A "$WORK/err")"
  grep -q '^distill: error: ' "$WORK/err" || fail "$name: $(cat "$WORK/err")"
  if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$WORK/err"; then
    fail "$name: control bytes in the error: $(cat -A "$WORK/err")"
  fi
  [ "$took" -le "$max" ] || fail "$name: took ${took}s (bound ${max}s)"
  if [ -f "$WORK/time" ]; then
    local kb
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time")
    [ "$kb" -lt 262144 ] || fail "$name: peak RSS ${kb} kB"
    rm -f "$WORK/time"
  fi
}

reg="127.0.0.1:$port"

# (a) An endless manifest stops at manifest-bytes (4 MiB by default).
hostile huge "$reg" 30
grep -q "exceeds the limit manifest-bytes (4 MiB)" "$WORK/err" || fail "huge: $(cat "$WORK/err")"

# (b) A trickle above curl's speed floor ends at the request deadline.
hostile trickle "$reg" 30 --limit request-seconds=3 --limit operation-seconds=8
grep -Eq "exceeds the limit (request|operation)-seconds" "$WORK/err" || fail "trickle: $(cat "$WORK/err")"

# (c) A server that accepts and never answers fails at connect-seconds.
hostile silent "127.0.0.1:$silent_port" 30 --limit connect-seconds=2 --limit operation-seconds=10
grep -Eq "exceeds the limit (connect|operation)-seconds" "$WORK/err" || fail "silent: $(cat "$WORK/err")"

# (d) Escape sequences and newlines in an error body are printed escaped.
hostile escape "$reg" 30
grep -qF 'denied: \x1b[2J\x1b]0;pwned\x07line one\nline two\r\x1b[31mred' "$WORK/err" \
  || fail "escape: $(cat -A "$WORK/err")"
ok
