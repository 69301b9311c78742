#!/usr/bin/env python3
"""A loopback HTTP proxy in front of a registry, for the e2e tests.

Usage: registry_proxy.py PORTFILE UPSTREAM_PORT LOG [FAULT_RATE SEED MAX_FAULTS]

Forwards every request to 127.0.0.1:UPSTREAM_PORT unchanged (the Host header
too, so the registry's Location headers point back at the proxy) and appends
"METHOD PATH STATUS" to LOG. With FAULT_RATE > 0, each request is, with that
probability (random.Random(SEED), at most MAX_FAULTS times in all), answered
with a 500 or dropped: the connection closes before any response, after the
request body was read. Faults are logged as "METHOD PATH fault-500|fault-drop".
"""
import http.client, http.server, random, sys, threading, os

portfile, upstream, logpath = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rate = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 1)
max_faults = int(sys.argv[6]) if len(sys.argv) > 6 else 0
lock = threading.Lock()
faults = 0

def log(line):
    with lock, open(logpath, "a") as f:
        f.write(line + "\n")

def pick_fault():
    global faults
    with lock:
        if rate <= 0 or faults >= max_faults or rng.random() >= rate:
            return None
        faults += 1
        return rng.choice(["fault-500", "fault-drop"])

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(length) if length else b""
        fault = pick_fault()
        if fault:
            log(f"{self.command} {self.path} {fault}")
            if fault == "fault-drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            msg = b'{"errors":[{"code":"UNKNOWN","message":"injected fault"}]}'
            self.send_response(500)
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
            return
        conn = http.client.HTTPConnection("127.0.0.1", upstream, timeout=120)
        headers = {k: v for k, v in self.headers.items()}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        log(f"{self.command} {self.path} {resp.status}")
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(k, v)
        length = resp.getheader("Content-Length", "0") if self.command == "HEAD" else len(data)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = forward

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
