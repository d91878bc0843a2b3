import type { MiddlewareHandler } from 'hono';
import { withHeaders } from './preset-headers.ts';
import { forbidden } from './errors.ts';

const LOOPBACK = ['localhost', '127.0.0.1', '::1', '[::1]'];

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Radix injects small <style> elements (scroll lock); no inline scripts are allowed.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** The name part of a Host header value: lower case, port removed, IPv6 brackets kept. */
function hostName(hostHeader: string): string {
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
  // Host header values found allowed: one per way of reaching us, so a lookup replaces the parsing.
  const allowedHeaders = new Set<string>();
  return async (c, next) => {
    const header = c.req.header('host') ?? '';
    const url = c.req.url;
    const start = url.indexOf('//') + 2;
    // The URL is built from the Host header, unless the request target was absolute.
    const urlFromHeader = url.startsWith(header, start) && url[start + header.length] === '/';
    if (!(urlFromHeader && allowedHeaders.has(header))) {
      // An absolute request target (`GET http://other/...`) names a host of its own: check both.
      const host = [hostName(header), hostName(new URL(url).host)].find((h) => !allowed.has(h));
      if (host !== undefined) {
        throw forbidden(
          `host ${JSON.stringify(host)} is not allowed; add it to NEON_LOCAL_ALLOWED_HOSTS`,
        );
      }
      if (urlFromHeader && allowedHeaders.size < 64) allowedHeaders.add(header);
    }
    await next();
  };
}

/** The page and its assets: Hono's secureHeaders defaults with our CSP, no referrer, no framing. */
const PAGE_HEADERS: readonly (readonly [string, string])[] = [
  ['Content-Security-Policy', CSP],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'DENY'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

/**
 * API answers (JSON, never a document a browser should run): OWASP's set for REST
 * responses. A CSP that allows nothing and no framing, in case one is ever opened as a page;
 * no sniffing into HTML; no referrer; readable by our own origin only. The page's
 * document-only headers (opener and agent-cluster isolation, DNS prefetch, IE's and Flash's)
 * would be one more `setHeader` each on the hottest answers, for nothing.
 */
const API_HEADERS: readonly (readonly [string, string])[] = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];

const isApiPath = (path: string) => path.startsWith('/api/') || path.startsWith('/__neon-local/');

/** The hardening headers on every answer: the page's, or the API's. */
export const securityHeaders = (): MiddlewareHandler => (c, next) =>
  withHeaders(c, next, isApiPath(c.req.path) ? API_HEADERS : PAGE_HEADERS);

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
