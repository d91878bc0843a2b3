/**
 * The framework floor: Hono on @hono/node-server (the local server's stack) answering the
 * same fixed bytes from memory, with no middleware, no auth and no database.
 * argv: <port> <json map of URL path → file holding the body>.
 */
import fs from 'node:fs';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';

const port = Number(process.argv[2]);
const routes = new Map<string, string>(
  Object.entries(JSON.parse(process.argv[3] ?? '{}') as Record<string, string>).map(([p, file]) => [
    p,
    fs.readFileSync(file, 'utf8'),
  ]),
);

const app = new Hono();
app.get('*', (c) => {
  const body = routes.get(c.req.path);
  return body === undefined
    ? c.text('not found', 404)
    : c.body(body, 200, { 'content-type': 'application/json' });
});
serve({ fetch: app.fetch, hostname: '127.0.0.1', port });
