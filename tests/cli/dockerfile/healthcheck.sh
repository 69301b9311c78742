# An instruction distill cannot honour fails at its line.
printf 'FROM gcr.io/distroless/static\nHEALTHCHECK CMD ["/probe"]\n' > Dockerfile
"$DISTILL" build -f Dockerfile -o oci:out
