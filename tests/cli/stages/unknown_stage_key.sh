# A misspelt key inside a stage is an error at its line with a suggestion.
cat > spec.yaml <<'Y'
stages:
  build:
    packages: [g++]
    rnu: ["make"]
Y
"$DISTILL" build -f spec.yaml --cache cache -o oci:out
