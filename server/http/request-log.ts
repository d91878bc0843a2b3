import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';

export type Log = (line: string) => void;

/** `X-Request-ID`: a client's own (up to 200 characters of `[A-Za-z0-9_=-]`) is echoed, else one is made. */
export const requestIds = () => requestId({ headerName: 'X-Request-ID', limitLength: 200 });

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
