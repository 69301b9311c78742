# Dockerfile flags on a distill spec are a usage error.
printf 'base: scratch\n' > distill.yaml
"$DISTILL" build -f distill.yaml --target app -o oci:out
