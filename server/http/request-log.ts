import type { MiddlewareHandler } from 'hono';
import { randomUUID } from 'node:crypto';
import type { ApiEnv } from './env.ts';
import { withHeaders } from './preset-headers.ts';

export type Log = (line: string) => void;

/** `X-Request-ID`: a client's own (up to 200 characters of `[A-Za-z0-9_=-]`) is echoed, else one is made. */
export function requestIds(): MiddlewareHandler<ApiEnv> {
  return (c, next) => {
    const given = c.req.header('x-request-id');
    const id = given !== undefined && CLIENT_ID.test(given) ? given : nextRequestId();
    c.set('requestId', id);
    return withHeaders(c, next, [['X-Request-ID', id]]);
  };
}

const CLIENT_ID = /^[\w=-]{1,200}$/;

// UUID-shaped and unique: a random prefix per process and a counter, instead of fresh
// randomness for every request.
const ID_PREFIX = randomUUID().slice(0, 24);
let requestCount = 0;
const nextRequestId = () => ID_PREFIX + (requestCount++).toString(16).padStart(12, '0');

/** One line a request: method, path, status and time. Bodies (which may hold passwords) never are. */
export function requestLog(log: Log): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    log(
      `${c.req.method} ${c.req.path} ${c.res.status} ${(performance.now() - started).toFixed(1)}ms`,
    );
  };
}
