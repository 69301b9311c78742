#!/usr/bin/env python3
"""A Docker token service for the e2e tests (formats.md C6), stdlib only.

Usage: registry_token.py PORTFILE KEY.pem CERT.pem USER PASSWORD [SERVICE]

Listens on 127.0.0.1 (a free port, written to PORTFILE) and answers
GET /token?service=...&scope=... with {"token", "expires_in"}: a JWT signed
RS256 by KEY.pem (with `openssl dgst -sha256 -sign`), carrying CERT.pem in its
x5c header so the registry (auth.token.rootcertbundle = CERT.pem) trusts it.
Basic credentials must be USER:PASSWORD (401 otherwise); anonymous requests
get a token granting nothing. With EXPIRE_FIRST=1 in the environment, the
first token issued is already expired while its expires_in says 300 s, so
the client's first authorized request is refused and it must renew. Each issued token is logged to stderr as
"issued <scope>" (never the token itself). Tokens live 60 s.
"""
import base64, http.server, json, os, subprocess, sys, time, urllib.parse

issued = 0

portfile, key, cert, user, password = sys.argv[1:6]
service = sys.argv[6] if len(sys.argv) > 6 else "distill-test"
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"],
                     check=True, capture_output=True).stdout

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

def sign(claims):
    header = {"alg": "RS256", "typ": "JWT", "x5c": [base64.b64encode(der).decode()]}
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input.encode(),
                         check=True, capture_output=True).stdout
    return signing_input + "." + b64(sig)

class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        auth = self.headers.get("Authorization", "")
        authed = False
        if auth.startswith("Basic "):
            u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
            if (u, p) != (user, password):
                self.send_response(401)
                body = b'{"errors":[{"code":"UNAUTHORIZED","message":"invalid username or password"}]}'
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            authed = True
        access = []
        for scope in q.get("scope", []):
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if authed:
                access.append({"type": kind, "name": name, "actions": actions.split(",")})
        global issued
        pushing = authed and any("push" in a["actions"] for a in access)
        issued += 1 if pushing else 0
        now = int(time.time())
        expired = pushing and issued == 1 and os.environ.get("EXPIRE_FIRST") == "1"
        # The registry allows 60 s of clock skew.
        exp = now - 120 if expired else now + 60
        claims = {"iss": "distill-test-issuer", "sub": user if authed else "", "aud": service,
                  "exp": exp, "nbf": now - 300, "iat": now - 300, "jti": str(time.time_ns()),
                  "access": access}
        print("issued", " ".join(q.get("scope", [])) or "-", "expired" if expired else "",
              file=sys.stderr, flush=True)
        body = json.dumps({"token": sign(claims), "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
