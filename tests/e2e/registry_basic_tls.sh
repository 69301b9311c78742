# htpasswd Basic auth over TLS with a certificate made here: the CA is trusted
# through SSL_CERT_FILE; distill login refuses a wrong password (naming the
# registry, never printing the password) and stores a right one in
# $DOCKER_CONFIG/config.json (mode 0600), which push and pull then use; the
# CI variables DISTILL_REGISTRY_USER/PASSWORD work without a config file.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/registry_lib.bash"
need skopeo htpasswd openssl
mkdir -p "$WORK/certs"
make_cert "$WORK/certs" ca
htpasswd -Bbn alice 's3cret-Pa55' > "$WORK/htpasswd"
REG_TLS="$WORK/certs/ca" start_registry reg \
  "auth: {htpasswd: {realm: distill-e2e, path: $WORK/htpasswd}}"
reg="127.0.0.1:$REG_PORT"
digest=$(make_image "$WORK")
export DOCKER_CONFIG="$WORK/docker"

# The certificate is not trusted yet.
if "$DISTILL" copy "oci:$WORK/layout:v1" "docker://$reg/e2e/hello:v1" 2>"$WORK/err"; then
  fail "push to an untrusted certificate succeeded"
fi
grep -q "certificate" "$WORK/err" || fail "untrusted certificate: $(cat "$WORK/err")"
export SSL_CERT_FILE="$WORK/certs/ca.crt"
mkdir -p "$WORK/skopeo-certs"  # skopeo takes a *.key there for a client certificate
cp "$SSL_CERT_FILE" "$WORK/skopeo-certs/"

# Anonymous push: unauthorized, naming the registry.
if "$DISTILL" copy "oci:$WORK/layout:v1" "docker://$reg/e2e/hello:v1" 2>"$WORK/err"; then
  fail "anonymous push succeeded"
fi
grep -q "'$reg': unauthorized" "$WORK/err" || fail "anonymous push: $(cat "$WORK/err")"

# Wrong password.
if echo 'wrong-Pa55word' | "$DISTILL" login "$reg" -u alice --password-stdin >"$WORK/out" 2>"$WORK/err"; then
  fail "login with a wrong password succeeded"
fi
grep -q "'$reg': unauthorized" "$WORK/err" || fail "wrong password: $(cat "$WORK/err")"
if grep -q 'wrong-Pa55word' "$WORK/err" "$WORK/out"; then fail "the password was printed"; fi
[ ! -e "$DOCKER_CONFIG/config.json" ] || fail "a failed login wrote config.json"

echo 's3cret-Pa55' | "$DISTILL" login "$reg" -u alice --password-stdin 2>"$WORK/err" || fail "login: $(cat "$WORK/err")"
expect_eq "config.json mode" "$(stat -c %a "$DOCKER_CONFIG/config.json")" "600"
if grep -q 's3cret-Pa55' "$WORK/err"; then fail "the password was printed"; fi

expect_eq "push" "$("$DISTILL" copy "oci:$WORK/layout:v1" "docker://$reg/e2e/hello:v1" | tail -n 1)" "$digest"
expect_eq "skopeo inspect" "$(skopeo inspect --cert-dir "$WORK/skopeo-certs" --creds alice:s3cret-Pa55 --format '{{.Digest}}' "docker://$reg/e2e/hello:v1")" "$digest"
expect_eq "pull" "$("$DISTILL" copy "docker://$reg/e2e/hello:v1" "oci:$WORK/back:v1" | tail -n 1)" "$digest"

# CI: credentials from the environment, no config file.
rm -rf "$DOCKER_CONFIG"
expect_eq "push with env credentials" "$(DISTILL_REGISTRY_USER=alice DISTILL_REGISTRY_PASSWORD='s3cret-Pa55' \
  "$DISTILL" copy "oci:$WORK/layout:v1" "docker://$reg/e2e/env:v1" | tail -n 1)" "$digest"
if DISTILL_REGISTRY_USER=alice DISTILL_REGISTRY_PASSWORD='wrong-Pa55word' \
  "$DISTILL" copy "oci:$WORK/layout:v1" "docker://$reg/e2e/env:v2" >"$WORK/out" 2>"$WORK/err"; then
  fail "push with a wrong env password succeeded"
fi
grep -q "'$reg': unauthorized.*DISTILL_REGISTRY_USER" "$WORK/err" || fail "wrong env password: $(cat "$WORK/err")"
if grep -q 'wrong-Pa55word' "$WORK/err" "$WORK/out"; then fail "the password was printed"; fi
ok
