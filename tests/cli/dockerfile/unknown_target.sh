# --target names a stage that does not exist.
printf 'FROM scratch AS app\nFROM app AS debug\n' > Dockerfile
"$DISTILL" build -f Dockerfile --target ap -o oci:out
