// A small HTTP server on Node's http module alone: the nodejs example.
// GET / answers a greeting, GET /api/hello?name=X answers JSON, GET /healthz
// answers "ok"; anything else is a 404. Listens on $HOST:$PORT (default
// 0.0.0.0:8080) and stops cleanly on SIGTERM.
'use strict';
const http = require('http');

function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const send = (status, type, body) => {
    res.writeHead(status, {'Content-Type': type, 'Content-Length': Buffer.byteLength(body)});
    res.end(body);
  };
  if (req.method !== 'GET') return send(405, 'text/plain', 'method not allowed\n');
  switch (url.pathname) {
    case '/':
      return send(200, 'text/plain', 'Hello from a distill image (node ' + process.version + ')\n');
    case '/healthz':
      return send(200, 'text/plain', 'ok\n');
    case '/api/hello': {
      const name = url.searchParams.get('name') || 'world';
      return send(200, 'application/json',
                  JSON.stringify({message: `Hello, ${name}!`, node: process.version}) + '\n');
    }
    default:
      return send(404, 'text/plain', 'not found\n');
  }
}

const host = process.env.HOST || '0.0.0.0';
const port = Number(process.env.PORT || 8080);
const server = http.createServer(handle);
server.listen(port, host, () => console.log(`serving on ${host}:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
