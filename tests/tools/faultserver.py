#!/usr/bin/env python3
"""A loopback HTTP server for the hermetic e2e tests, with fault injection.

    faultserver.py ROOT PORTFILE FAULTS

Serves ROOT on 127.0.0.1 at a free port, which it writes to PORTFILE once
listening. FAULTS is a JSON file re-read on every request (absent = none):
a list of {"contains": "<substring of the path>", then one of
"status": 500 (answer that status), or "tamper": true (serve the file with
its last byte flipped, same size)}. The first matching rule applies.
"""
import functools
import http.server
import json
import os
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def fault(self):
        try:
            with open(self.server.faults_path) as f:
                rules = json.load(f)
        except (OSError, ValueError):
            return None
        for rule in rules:
            if rule["contains"] in self.path:
                return rule
        return None

    def do_GET(self):
        rule = self.fault()
        if rule and "status" in rule:
            self.send_error(rule["status"])
            return
        path = self.translate_path(self.path)
        if not rule or not os.path.isfile(path):
            return super().do_GET()
        data = bytearray(open(path, "rb").read())
        if data:
            data[-1] ^= 0xFF
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    root, portfile, faults = sys.argv[1:4]
    # By path, not by cwd: a test may rebuild ROOT while the server runs.
    handler = functools.partial(Handler, directory=os.path.abspath(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.faults_path = os.path.abspath(faults)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, portfile)
    server.serve_forever()


if __name__ == "__main__":
    main()
