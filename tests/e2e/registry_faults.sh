# Pushes through a proxy that answers 500 or drops the connection at random
# (seeded, a bounded number of times). Each push either completes, retrying
# (the pushed image is then complete and readable), or fails with one clear
# error line, leaving no manifest that points at missing blobs.
source "$(dirname "$0")/lib.bash"
source "$SRCDIR/tests/tools/registry_lib.bash"
need skopeo
start_registry reg
digest=$(make_image "$WORK")
completed=0
for seed in 1 2 3 4 5 6; do
  start_proxy "proxy$seed" "$REG_PORT" 0.3 "$seed" 4
  repo="e2e/faults$seed"
  if out=$("$DISTILL" copy --tls-verify=false "oci:$WORK/layout:v1" "docker://127.0.0.1:$PROXY_PORT/$repo:v1" 2>"$WORK/err"); then
    expect_eq "seed $seed: digest" "$(echo "$out" | tail -n 1)" "$digest"
    expect_eq "seed $seed: skopeo inspect" "$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://127.0.0.1:$REG_PORT/$repo:v1")" "$digest"
    "$DISTILL" copy --tls-verify=false "docker://127.0.0.1:$REG_PORT/$repo:v1" "oci:$WORK/back$seed:v1" >/dev/null \
      || fail "seed $seed: the pushed image cannot be pulled back"
    grep -q fault "$PROXY_LOG" && completed=$((completed + 1))
  else
    expect_eq "seed $seed: error lines" "$(wc -l < "$WORK/err")" 1
    grep -q "^distill: error: copying .*pushing" "$WORK/err" || fail "seed $seed: unclear error: $(cat "$WORK/err")"
    if skopeo inspect --tls-verify=false "docker://127.0.0.1:$REG_PORT/$repo:v1" >/dev/null 2>&1; then
      # A manifest may exist only if every blob it names is there.
      "$DISTILL" copy --tls-verify=false "docker://127.0.0.1:$REG_PORT/$repo:v1" "oci:$WORK/back$seed:v1" >/dev/null \
        || fail "seed $seed: a manifest points at missing blobs"
    fi
  fi
done
[ "$completed" -ge 1 ] || fail "no push completed through injected faults"
ok
