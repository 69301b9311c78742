# COPY --from a stage that does not exist: the closest stage is suggested.
cat > app.Dockerfile <<'D'
FROM debian:bookworm AS build
RUN make
FROM gcr.io/distroless/cc-debian12
COPY --from=buidl /src/app /app
D
"$DISTILL" build -f app.Dockerfile -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
