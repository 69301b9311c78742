# The containers configuration podman and skopeo read, per registry host:
# certs.d (a CA made here, and a client certificate the registry requires)
# found under $HOME/.config/containers/certs.d/HOST:PORT or given with
# --cert-dir; registries.conf `insecure = true` lets a plain-HTTP registry
# work without --tls-verify=false, `blocked = true` refuses a name, and a
# file that does not parse is an error naming it and the line.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/registry_lib.bash"
need skopeo openssl
export HOME="$WORK/home" DOCKER_CONFIG="$WORK/docker"
unset SSL_CERT_FILE CONTAINERS_REGISTRIES_CONF
mkdir -p "$HOME" "$WORK/certs"

# The server's certificate (self-signed) and a client CA whose certificate
# the registry requires (http.tls.clientcas).
make_cert "$WORK/certs" server
make_cert "$WORK/certs" clientca
openssl req -newkey rsa:2048 -nodes -subj "/CN=distill-client" \
  -keyout "$WORK/certs/client.key" -out "$WORK/certs/client.csr" 2>/dev/null
openssl x509 -req -in "$WORK/certs/client.csr" -CA "$WORK/certs/clientca.crt" \
  -CAkey "$WORK/certs/clientca.key" -CAcreateserial -days 2 \
  -out "$WORK/certs/client.cert" 2>/dev/null
start_registry tls \
  "  tls: {certificate: $WORK/certs/server.crt, key: $WORK/certs/server.key, clientcas: [$WORK/certs/clientca.crt]}"
reg="127.0.0.1:$REG_PORT"
digest=$(make_image "$WORK")

# Nothing trusted yet: a certificate error naming the registry.
if "$DISTILL" copy "oci:$WORK/layout:v1" "docker://$reg/e2e/hello:v1" >/dev/null 2>"$WORK/err"; then
  fail "push to an untrusted certificate succeeded"
fi
grep -q "'$reg'.*certificate" "$WORK/err" || fail "untrusted certificate: $(cat "$WORK/err")"

# The CA alone: the registry refuses the handshake without a client certificate.
certs="$HOME/.config/containers/certs.d/$reg"
mkdir -p "$certs"
cp "$WORK/certs/server.crt" "$certs/ca.crt"
if "$DISTILL" copy "oci:$WORK/layout:v1" "docker://$reg/e2e/hello:v1" >/dev/null 2>"$WORK/err"; then
  fail "push without the client certificate succeeded"
fi
grep -q "'$reg'" "$WORK/err" || fail "no client certificate: $(cat "$WORK/err")"

# A client certificate without its key: one line naming both.
cp "$WORK/certs/client.cert" "$certs/client.cert"
if "$DISTILL" copy "oci:$WORK/layout:v1" "docker://$reg/e2e/hello:v1" >/dev/null 2>"$WORK/err"; then
  fail "push with a certificate but no key succeeded"
fi
expect_eq "cert without key" "$(cat "$WORK/err")" \
  "distill: error: copying 'oci:$WORK/layout:v1' to 'docker://$reg/e2e/hello:v1': pushing 'docker://$reg/e2e/hello:v1': '$certs/client.cert': client certificate without its key 'client.key'"

# The whole certs.d entry: push, skopeo reads it back with the same files.
cp "$WORK/certs/client.key" "$certs/client.key"
expect_eq "push with certs.d" "$("$DISTILL" copy "oci:$WORK/layout:v1" "docker://$reg/e2e/hello:v1" | tail -n 1)" "$digest"
expect_eq "skopeo inspect" "$(skopeo inspect --cert-dir "$certs" --format '{{.Digest}}' "docker://$reg/e2e/hello:v1")" "$digest"

# --cert-dir instead of certs.d, for a build's -o docker:// as well.
mv "$certs" "$WORK/certdir"
expect_eq "pull with --cert-dir" "$("$DISTILL" copy --cert-dir "$WORK/certdir" "docker://$reg/e2e/hello:v1" "oci:$WORK/back:v1" | tail -n 1)" "$digest"
expect_eq "build -o docker:// with --cert-dir" \
  "$("$DISTILL" build --progress=none --cert-dir "$WORK/certdir" -f "$WORK/ctx/distill.yaml" -o "docker://$reg/e2e/built:v1" | tail -n 1)" "$digest"
if "$DISTILL" copy --cert-dir "$WORK/nowhere" "docker://$reg/e2e/hello:v1" "oci:$WORK/x:v1" >/dev/null 2>"$WORK/err"; then
  fail "a missing --cert-dir was accepted"
fi
expect_eq "missing --cert-dir" "$(cat "$WORK/err")" \
  "distill: error: copying 'docker://$reg/e2e/hello:v1' to 'oci:$WORK/x:v1': reading 'docker://$reg/e2e/hello:v1': --cert-dir '$WORK/nowhere' is not a directory"

# A plain-HTTP registry: refused by default, allowed by registries.conf.
start_registry plain
plain="127.0.0.1:$REG_PORT"
if "$DISTILL" copy "oci:$WORK/layout:v1" "docker://$plain/e2e/hello:v1" >/dev/null 2>"$WORK/err"; then
  fail "push to a plain-HTTP registry succeeded with verification on"
fi
mkdir -p "$HOME/.config/containers"
conf="$HOME/.config/containers/registries.conf"
cat > "$conf" <<T
unqualified-search-registries = ["docker.io"]

[[registry]]
location = "$plain"
insecure = true

[[registry]]
prefix = "$plain/blocked"
location = "$plain/blocked"
blocked = true
T
expect_eq "push to an insecure registry" "$("$DISTILL" copy "oci:$WORK/layout:v1" "docker://$plain/e2e/hello:v1" | tail -n 1)" "$digest"
expect_eq "skopeo inspect" "$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$plain/e2e/hello:v1")" "$digest"

# A blocked name: exit 1, the name and the file.
set +e
"$DISTILL" copy "oci:$WORK/layout:v1" "docker://$plain/blocked/app:v1" >/dev/null 2>"$WORK/err"
status=$?
set -e
expect_eq "blocked status" "$status" "1"
expect_eq "blocked" "$(cat "$WORK/err")" \
  "distill: error: copying 'oci:$WORK/layout:v1' to 'docker://$plain/blocked/app:v1': pushing 'docker://$plain/blocked/app:v1': registry '$plain/blocked/app' is blocked by '$conf'"
skopeo inspect --tls-verify=false "docker://$plain/blocked/app:v1" >/dev/null 2>&1 && fail "a blocked push reached the registry"

# CONTAINERS_REGISTRIES_CONF names another file; one that does not parse
# is an error at its line.
printf '[[registry]]\nlocation = "%s"\ninsecure = yes\n' "$plain" > "$WORK/bad.conf"
set +e
CONTAINERS_REGISTRIES_CONF="$WORK/bad.conf" "$DISTILL" copy "oci:$WORK/layout:v1" "docker://$plain/e2e/hello:v2" >/dev/null 2>"$WORK/err"
status=$?
set -e
expect_eq "bad conf status" "$status" "1"
case "$(cat "$WORK/err")" in
  "distill: error: copying 'oci:$WORK/layout:v1' to 'docker://$plain/e2e/hello:v2': pushing 'docker://$plain/e2e/hello:v2': '$WORK/bad.conf': line 3: "*) ;;
  *) fail "bad registries.conf: $(cat "$WORK/err")" ;;
esac
expect_eq "one line" "$(wc -l < "$WORK/err")" "1"
ok
