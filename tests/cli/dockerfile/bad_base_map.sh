# --base-map without '=' is a usage error (exit 2), before anything is read.
"$DISTILL" build -f Dockerfile --base-map openjdk -o oci:out
