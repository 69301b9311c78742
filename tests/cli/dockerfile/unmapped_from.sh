# A FROM image that distill does not build, with no --base-map for it
# (the seed Java Dockerfile without its map) is pulled from its registry;
# --offline keeps the test off the network. Recognised by content.
cat > build.txt <<'D'
FROM openjdk:8-jdk-slim AS build-env
ADD . /app/examples
FROM gcr.io/distroless/java
COPY --from=build-env /app /app
D
"$DISTILL" build --offline -f build.txt -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
