import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { forbidden } from './errors.ts';

const LOOPBACK = ['localhost', '127.0.0.1', '::1', '[::1]'];

const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  // Radix injects small <style> elements (scroll lock); no inline scripts are allowed.
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
};

/** The name part of a Host header value: lower case, port removed, IPv6 brackets kept. */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d+$/, '');
}

/** DNS rebinding: only our own names (loopback, the listening host, the configured extra ones) may reach us. */
export function allowedHostsOnly(
  listenHost: string,
  extraHosts: readonly string[],
): MiddlewareHandler {
  const allowed = new Set([...LOOPBACK, ...extraHosts, hostName(listenHost)]);
  return async (c, next) => {
    // An absolute request target (`GET http://other/...`) names a host of its own: check both.
    const host = [hostName(c.req.header('host') ?? ''), hostName(new URL(c.req.url).host)].find(
      (h) => !allowed.has(h),
    );
    if (host !== undefined) {
      throw forbidden(
        `host ${JSON.stringify(host)} is not allowed; add it to NEON_LOCAL_ALLOWED_HOSTS`,
      );
    }
    await next();
  };
}

/** CSP, no referrer, no framing (and Hono's other defaults). */
export const securityHeaders = () =>
  secureHeaders({
    contentSecurityPolicy: CSP,
    referrerPolicy: 'no-referrer',
    xFrameOptions: 'DENY',
  });

/** Browsers may change state only from our own pages. */
export function sameOriginWrites(): MiddlewareHandler {
  return async (c, next) => {
    if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
      const site = c.req.header('sec-fetch-site');
      const origin = c.req.header('origin');
      const crossSite = site !== undefined && site !== 'same-origin' && site !== 'none';
      let foreignOrigin = false;
      if (origin !== undefined) {
        try {
          foreignOrigin = new URL(origin).host !== (c.req.header('host') ?? '').toLowerCase();
        } catch {
          foreignOrigin = true;
        }
      }
      if (crossSite || foreignOrigin)
        throw forbidden('cross-site requests may not change anything');
    }
    await next();
  };
}
