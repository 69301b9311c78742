# A Dockerfile of scratch + COPY builds without the network: context files
# land as one layer per COPY, and two builds give the same digest.
mkdir ctx
printf 'hello\n' > ctx/greeting
printf 'FROM scratch\nWORKDIR /srv\nCOPY greeting a/\nCOPY --chmod=600 greeting b\nCMD ["/srv/b"]\n' > ctx/Dockerfile
d1=$("$DISTILL" build -f ctx/Dockerfile --progress=none --cache cache -o oci:out:one | tail -n 1)
d2=$("$DISTILL" build -f ctx/Dockerfile --progress=none --cache cache -o oci:out:two | tail -n 1)
[ "$d1" = "$d2" ] && echo "same digest"
"$DISTILL" inspect oci:out:one | grep -E '^ *(Cmd|WorkingDir|Layers|layer)|files' || true
