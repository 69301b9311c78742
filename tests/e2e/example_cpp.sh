# examples/cpp: the C++ wordcount program (libstdc++ from the cc base) runs
# as nonroot and counts the words it reads on stdin.
source "$(dirname "$0")/example_lib.bash"
need podman skopeo g++ python3
need_mirror
example_build cpp >/dev/null
expect_eq "user" "$(example_config cpp User)" "65532"
got=$(printf 'the cat and the dog\nand THE bird\n' | prun -i "oci:$WORK/l:cpp" 3) || fail "wordcount did not run"
expect_eq "wordcount output" "$got" "3 the
2 and
1 bird"
ok
