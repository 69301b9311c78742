# Token auth (the Docker token protocol): a token service started here issues
# RS256 JWTs that the registry verifies. distill gets a token for the push
# scope with the user's credentials, reuses it for every request of the push
# (one token per scope, not per request), renews it when the registry refuses
# it mid-push (the first token issued here is already expired), and an
# anonymous push is refused as unauthorized.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/registry_lib.bash"
need skopeo openssl
EXPIRE_FIRST=1 start_token_service tok bob 'tok-Pa55'
start_registry reg "$(token_auth_yaml)"
reg="127.0.0.1:$REG_PORT"
digest=$(make_image "$WORK")
export DOCKER_CONFIG="$WORK/docker"

if "$DISTILL" copy --tls-verify=false "oci:$WORK/layout:v1" "docker://$reg/e2e/hello:v1" 2>"$WORK/err"; then
  fail "anonymous push succeeded"
fi
grep -q "'$reg': unauthorized" "$WORK/err" || fail "anonymous push: $(cat "$WORK/err")"

: > "$TOKEN_LOG"
echo 'tok-Pa55' | "$DISTILL" login --tls-verify=false "$reg" -u bob --password-stdin 2>"$WORK/err" || fail "login: $(cat "$WORK/err")"
expect_eq "push" "$("$DISTILL" copy --tls-verify=false "oci:$WORK/layout:v1" "docker://$reg/e2e/hello:v1" | tail -n 1)" "$digest"
# login: one token; push: the expired one for the push scope plus its renewal.
expect_eq "tokens for the push" "$(grep -c "repository:e2e/hello:pull,push" "$TOKEN_LOG")" 2
grep -q "pull,push expired" "$TOKEN_LOG" || fail "no expired token was issued: $(cat "$TOKEN_LOG")"
expect_eq "skopeo inspect" "$(skopeo inspect --tls-verify=false --creds bob:tok-Pa55 --format '{{.Digest}}' "docker://$reg/e2e/hello:v1")" "$digest"
expect_eq "pull" "$("$DISTILL" copy --tls-verify=false "docker://$reg/e2e/hello:v1" "oci:$WORK/back:v1" | tail -n 1)" "$digest"
ok
