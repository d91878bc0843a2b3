import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../http/errors.ts';
import { specRoute } from './spec-routes.ts';

interface Window {
  start: number;
  count: number;
}

/**
 * Neon's published limits: 700 requests a minute per account and 40 a second per route, a
 * route being a method and a path template of the API (`GET /projects/{project_id}/branches`
 * for every project), not each concrete path. Paths outside Neon's spec share one route.
 * Fixed windows; 0 turns a limit off.
 */
export function rateLimit(
  perMinute: number,
  perSecond: number,
  now: () => number = Date.now,
): MiddlewareHandler {
  const minute: Window = { start: 0, count: 0 };
  const routes = new Map<string, Window>();
  const hit = (w: Window, size: number, limit: number, t: number) => {
    if (t - w.start >= size) {
      w.start = t - (t % size);
      w.count = 0;
    }
    w.count++;
    return w.count > limit ? Math.max(1, Math.ceil((w.start + size - t) / 1000)) : 0;
  };
  return async (c, next) => {
    const t = now();
    if (perSecond > 0) {
      const template = specRoute(c.req.path.replace(/^\/api\/v2(?=\/)/, ''))?.template;
      const key = `${c.req.method} ${template ? `/api/v2${template}` : "paths Neon's API does not have"}`;
      let w = routes.get(key);
      if (!w) {
        // Bounded by the spec's routes, but not by the methods a client may invent.
        if (routes.size > 10_000) routes.clear();
        w = { start: 0, count: 0 };
        routes.set(key, w);
      }
      const wait = hit(w, 1000, perSecond, t);
      if (wait) throw tooMany(wait, `more than ${perSecond} requests a second to ${key}`);
    }
    if (perMinute > 0) {
      const wait = hit(minute, 60_000, perMinute, t);
      if (wait) throw tooMany(wait, `more than ${perMinute} requests a minute`);
    }
    await next();
  };
}

const tooMany = (seconds: number, why: string) =>
  new ApiError(429, `rate limit exceeded: ${why}; retry after ${seconds} s`, {
    headers: { 'Retry-After': String(seconds) },
  });
