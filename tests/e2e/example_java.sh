# examples/java: the distroless HelloJava, packed into main.jar with a
# Main-Class, runs with `java -jar` on the java17 base as nonroot.
source "$(dirname "$0")/example_lib.bash"
need podman skopeo javac jar python3
need_mirror
example_build java >/dev/null
expect_eq "user" "$(example_config java User)" "65532"
expect_eq "workdir" "$(example_config java WorkingDir)" "/app"
expect_eq "entrypoint" "$(example_config java Entrypoint)" "['/usr/bin/java', '-jar']"
expect_eq "HelloJava" "$(prun "oci:$WORK/l:java")" "Hello world"
ok
