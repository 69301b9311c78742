# Copying from a layout that does not exist names it.
"$DISTILL" copy oci:missing:v1 docker://127.0.0.1:1/a:v1
