import type { Context, Next } from 'hono';
import type { HttpBindings } from '@hono/node-server';

/**
 * Runs the rest of the chain with `headers` on its answer, a route's own value winning.
 * Served by @hono/node-server they go straight onto Node's response, which merges them
 * when the answer is written: no fetch `Headers` object is built, which is most of what a
 * header costs per request. In-process (`app.request`) they are added to the Response.
 */
export async function withHeaders(
  c: Context,
  next: Next,
  headers: readonly (readonly [string, string])[],
): Promise<void> {
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  if (outgoing) {
    for (const [name, value] of headers) outgoing.setHeader(name, value);
    await next();
    return;
  }
  await next();
  for (const [name, value] of headers) if (!c.res.headers.has(name)) c.res.headers.set(name, value);
}
