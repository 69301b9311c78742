# Helpers for tests/e2e/registry_*.sh, sourced after tests/e2e/lib.bash:
# a docker-registry (Debian's distribution registry) on 127.0.0.1 and a free
# port, with storage in $WORK, optional TLS and auth, plus the Python helpers
# beside this file (token service, counting/faulty proxy). Every server
# started here is stopped when the script exits.
TOOLS="$SRCDIR/tests/tools"
SERVER_PIDS=""
_stop_servers() {
  local rc=$?
  for pid in $SERVER_PIDS; do kill "$pid" 2>/dev/null || true; done
  for pid in $SERVER_PIDS; do wait "$pid" 2>/dev/null || true; done
  (exit $rc)
  _cleanup
}
trap _stop_servers EXIT

free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# wait_port PORT: until something listens on 127.0.0.1:PORT (10 s).
wait_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  fail "nothing listens on 127.0.0.1:$1"
}

# wait_file FILE: until FILE exists (10 s); prints it.
wait_file() {
  for _ in $(seq 100); do [ -s "$1" ] && { cat "$1"; return 0; }; sleep 0.1; done
  fail "'$1' never appeared"
}

# start_registry NAME [YAML...]: a registry whose storage, config and log are
# in $WORK/NAME; extra top-level YAML (auth:, http.tls) comes as arguments.
# With REG_TLS=DIR/NAME, it serves https with DIR/NAME.crt and .key.
# Sets REG_PORT and REG_DIR.
start_registry() {
  need docker-registry
  REG_DIR="$WORK/$1"; shift
  REG_PORT=$(free_port)
  mkdir -p "$REG_DIR/data"
  {
    echo "version: 0.1"
    echo "log: {level: info, accesslog: {disabled: false}}"
    echo "storage: {filesystem: {rootdirectory: $REG_DIR/data}, delete: {enabled: true}}"
    echo "http:"
    echo "  addr: 127.0.0.1:$REG_PORT"
    echo "  secret: distill-e2e"
    [ -z "${REG_TLS:-}" ] || echo "  tls: {certificate: $REG_TLS.crt, key: $REG_TLS.key}"
    for y in "$@"; do echo "$y"; done
  } > "$REG_DIR/config.yml"
  # The registry takes every REGISTRY_* variable as a configuration override
  # (REGISTRY_AUTH_FILE, which podman users and lib.bash set, would be
  # auth.file): it gets none of them.
  (
    for v in $(compgen -e | grep '^REGISTRY_'); do unset "$v"; done
    exec docker-registry serve "$REG_DIR/config.yml"
  ) >"$REG_DIR/log" 2>&1 &
  SERVER_PIDS="$SERVER_PIDS $!"
  wait_port "$REG_PORT"
}

# start_proxy NAME UPSTREAM_PORT [FAULT_RATE SEED MAX_FAULTS]: sets PROXY_PORT
# and PROXY_LOG ("METHOD PATH STATUS" per request).
start_proxy() {
  local dir="$WORK/$1"; shift
  mkdir -p "$dir"
  PROXY_LOG="$dir/requests.log"
  : > "$PROXY_LOG"
  local upstream=$1; shift
  /usr/bin/python3 "$TOOLS/registry_proxy.py" "$dir/port" "$upstream" "$PROXY_LOG" "$@" 2>"$dir/stderr" &
  SERVER_PIDS="$SERVER_PIDS $!"
  PROXY_LOG="$dir/requests.log"
  PROXY_PORT=$(wait_file "$dir/port")
  wait_port "$PROXY_PORT"
}

# make_cert DIR NAME: a self-signed certificate for 127.0.0.1 and localhost
# (DIR/NAME.crt, DIR/NAME.key).
make_cert() {
  need openssl
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$2" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$1/$2.key" -out "$1/$2.crt" 2>/dev/null
}

# make_image DIR: a small static-program image as oci:DIR/layout:v1; prints
# its digest. The program prints "hello from the registry test".
make_image() {
  need gcc
  make_static_hello "$1/ctx" "hello from the registry test"
  cat > "$1/ctx/distill.yaml" <<'Y'
files:
  - src: hello
    dst: /usr/bin/hello
config:
  entrypoint: ["/usr/bin/hello"]
  user: "65532:65532"
Y
  build_digest -f "$1/ctx/distill.yaml" -o "oci:$1/layout:v1"
}

# count_uploads LOG: blob upload requests (POST/PUT/PATCH on blobs) in a proxy log.
count_uploads() { grep -cE '^(POST|PUT|PATCH) /v2/[^ ]*/blobs/' "$1" || true; }

# start_token_service NAME USER PASSWORD: a token service (registry_token.py)
# signing with a key made here. Sets TOKEN_PORT, TOKEN_LOG and TOKEN_CERT (the
# registry's rootcertbundle).
start_token_service() {
  local dir="$WORK/$1"
  mkdir -p "$dir"
  make_cert "$dir" signer
  TOKEN_CERT="$dir/signer.crt"
  TOKEN_LOG="$dir/issued.log"
  /usr/bin/python3 "$TOOLS/registry_token.py" "$dir/port" "$dir/signer.key" "$TOKEN_CERT" \
    "$2" "$3" distill-test 2>>"$TOKEN_LOG" &
  SERVER_PIDS="$SERVER_PIDS $!"
  TOKEN_PORT=$(wait_file "$dir/port")
  wait_port "$TOKEN_PORT"
}

# token_auth_yaml: the registry's auth: section for the running token service.
token_auth_yaml() {
  echo "auth: {token: {realm: 'http://127.0.0.1:$TOKEN_PORT/token', service: distill-test, issuer: distill-test-issuer, rootcertbundle: '$TOKEN_CERT'}}"
}
