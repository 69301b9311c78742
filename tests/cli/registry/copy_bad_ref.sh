# A copy destination with an unknown transport is a usage error.
"$DISTILL" copy oci:in:v1 dockr://127.0.0.1:5000/a:v1
