# A FROM image that distill does not build, with no --base-map for it (the
# seed Java Dockerfile's build stage without its map) is pulled from its
# registry; --offline keeps the test off the network, and the empty cache of
# the case (run_case.sh) makes the pull fail at that FROM's line. The final
# stage is scratch, so nothing else needs cached state (a distroless final
# stage would need a cached Debian Release first).
cat > build.txt <<'D'
FROM openjdk:8-jdk-slim AS build-env
ADD . /app/examples
FROM scratch
COPY --from=build-env /app /app
D
"$DISTILL" build --offline -f build.txt -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
