# A spec without packages locks to empty entries, without any network.
printf 'platforms: [linux/amd64, linux/arm64]\n' > distill.yaml
"$DISTILL" lock --cache cache --progress=none
cat distill.lock
