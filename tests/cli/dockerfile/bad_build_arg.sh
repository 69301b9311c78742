# --build-arg with an empty name is a usage error (exit 2).
printf 'FROM scratch\n' > Dockerfile
"$DISTILL" build -f Dockerfile --build-arg =x -o oci:out
