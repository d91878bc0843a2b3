import type { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * Refuses a request body over `maxSize` bytes by calling `tooLarge`. Node's HTTP parser reads
 * exactly Content-Length bytes, and no body at all from a request with neither that header
 * nor Transfer-Encoding, so such requests are judged by their headers alone. The rest (a
 * chunked body, or a Request handed to `app.fetch` in-process) are counted as they stream, by
 * Hono's bodyLimit. Asking a Node request for its body stream, as bodyLimit does, builds the
 * whole fetch Request (a ReadableStream over the socket, an AbortController): about a fifth
 * of a mutation's CPU, for nothing, since the routes then read the body directly.
 */
export function bodyWithin(maxSize: number, tooLarge: () => never): MiddlewareHandler {
  const streamed = bodyLimit({ maxSize, onError: tooLarge });
  return (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const fromNode = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (!fromNode || c.req.header('transfer-encoding') !== undefined) return streamed(c, next);
    if (Number(c.req.header('content-length') ?? 0) > maxSize) tooLarge();
    return next();
  };
}
