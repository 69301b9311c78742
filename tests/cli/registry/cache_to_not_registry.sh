# --cache-to and --cache-from take registry images only (usage errors).
printf 'files: []\n' > spec.yaml
"$DISTILL" build -f spec.yaml --cache-to oci:cache
echo "exit $?"
"$DISTILL" build -f spec.yaml --cache-from cache
echo "exit $?"
