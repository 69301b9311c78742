# examples/go: the static Go program (CGO_ENABLED=0) runs on the static base
# as nonroot and reads time zones from the base's tzdata.
source "$(dirname "$0")/example_lib.bash"
need podman skopeo go python3
need_mirror
example_build go >/dev/null
expect_eq "user" "$(example_config go User)" "65532"
got=$(prun "oci:$WORK/l:go" -at 2024-07-01T12:00:00Z UTC Asia/Tokyo America/New_York) || fail "clock did not run"
expect_eq "clock output" "$got" "2024-07-01 12:00:00 +0000 UTC UTC
2024-07-01 21:00:00 +0900 JST Asia/Tokyo
2024-07-01 08:00:00 -0400 EDT America/New_York"
prun "oci:$WORK/l:go" Not/AZone >/dev/null 2>&1 && fail "an unknown zone should fail"
ok
