# A second push of the same image uploads no blob: every blob is found by
# HEAD, only the manifest is put again. Requests are counted by a proxy in
# front of the registry. A push interrupted after its blobs (simulated by
# pushing the blobs under another tag first) also uploads nothing on rerun.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/registry_lib.bash"
start_registry reg
start_proxy proxy "$REG_PORT"
reg="127.0.0.1:$PROXY_PORT"
digest=$(make_image "$WORK")

expect_eq "cold push" "$("$DISTILL" copy --tls-verify=false "oci:$WORK/layout:v1" "docker://$reg/e2e/hello:v1" | tail -n 1)" "$digest"
cold=$(count_uploads "$PROXY_LOG")
[ "$cold" -ge 4 ] || fail "cold push made only $cold upload requests: $(cat "$PROXY_LOG")"

: > "$PROXY_LOG"
expect_eq "warm push" "$("$DISTILL" copy --tls-verify=false "oci:$WORK/layout:v1" "docker://$reg/e2e/hello:v1" | tail -n 1)" "$digest"
expect_eq "upload requests of the warm push" "$(count_uploads "$PROXY_LOG")" 0
expect_eq "HEAD requests of the warm push" "$(grep -c '^HEAD /v2/e2e/hello/blobs/' "$PROXY_LOG")" 2
expect_eq "manifest puts of the warm push" "$(grep -c '^PUT /v2/e2e/hello/manifests/v1 201' "$PROXY_LOG")" 1

: > "$PROXY_LOG"
expect_eq "build push of the same image" "$(build_digest -f "$WORK/ctx/distill.yaml" --tls-verify=false -o "docker://$reg/e2e/hello:v2")" "$digest"
expect_eq "upload requests of build's warm push" "$(count_uploads "$PROXY_LOG")" 0
ok
