"""A small web app on the standard library alone (http.server): the python3
example. GET / serves static/index.html, GET /api/hello?name=X answers JSON,
GET /healthz answers "ok". Listens on $HOST:$PORT (default 0.0.0.0:8080).
"""
import json
import os
import platform
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


class Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=STATIC, **kwargs)

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/healthz":
            return self.send_text(200, "text/plain", "ok\n")
        if url.path == "/api/hello":
            name = parse_qs(url.query).get("name", ["world"])[0]
            body = {"message": f"Hello, {name}!", "python": platform.python_version()}
            return self.send_text(200, "application/json", json.dumps(body) + "\n")
        return super().do_GET()

    def send_text(self, status, content_type, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    host = os.environ.get("HOST", "0.0.0.0")
    port = int(os.environ.get("PORT", "8080"))
    with ThreadingHTTPServer((host, port), Handler) as server:
        print(f"serving on {host}:{port}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
