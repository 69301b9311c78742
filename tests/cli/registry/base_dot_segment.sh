# A `..` in a registry base's repository is an error before any policy check
# or request: "x/../evil" must never reach the repository "evil".
printf 'base: docker://127.0.0.1:9/x/../evil-ok:1\n' > spec.yaml
"$DISTILL" build -f spec.yaml -o oci:out
