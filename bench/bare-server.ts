/**
 * The ceiling reference: a bare node:http server answering fixed bytes from memory.
 * argv: <port> <json map of URL path → file holding the body>.
 */
import fs from 'node:fs';
import http from 'node:http';

const port = Number(process.argv[2]);
const routes = new Map<string, Buffer>(
  Object.entries(JSON.parse(process.argv[3] ?? '{}') as Record<string, string>).map(([p, file]) => [
    p,
    fs.readFileSync(file),
  ]),
);

http
  .createServer((req, res) => {
    const body = routes.get(req.url ?? '');
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
      .end(body);
  })
  .listen(port, '127.0.0.1');
