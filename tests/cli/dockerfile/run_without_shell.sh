# RUN in a final stage whose base has no shell says so, and what to do.
mkdir ctx
cat > ctx/Containerfile <<'D'
FROM gcr.io/distroless/java17-debian12
COPY app.jar /app/app.jar
RUN chmod 644 /app/app.jar
D
"$DISTILL" build -f ctx/Containerfile -o oci:out
status=$?
[ -e out ] && echo "output exists"
exit $status
