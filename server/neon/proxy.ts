import { Hono } from 'hono';
import type { ApiEnv } from '../http/env.ts';
import { ApiError, badRequest } from '../http/errors.ts';

// Headers passed through each way; everything else (cookies, the caller's authorization) stays
// here. The answer carries our own X-Request-ID, as every other answer of this server does.
const REQUEST_HEADERS = ['accept', 'content-type', 'x-request-id'];
const RESPONSE_HEADERS = ['content-type', 'retry-after'];

/**
 * Refuses paths that could leave /api/v2 or confuse the upstream: dot segments (plain or
 * percent-encoded), encoded slashes and backslashes, empty segments and control characters.
 */
function unsafeApiPath(rawPath: string): string | undefined {
  if (!rawPath.startsWith('/api/v2/')) return 'only /api/v2 paths are forwarded';
  const rest = rawPath.slice('/api/v2'.length);
  if (/%2f|%5c|\\/i.test(rest)) return 'encoded slashes and backslashes are not forwarded';
  if (/%(?![0-9a-f]{2})/i.test(rest)) return 'malformed percent-encoding';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]|%[01][0-9a-f]|%7f/i.test(rest))
    return 'control characters are not forwarded';
  const segments = rest.slice(1).split('/');
  for (const segment of segments) {
    const decoded = segment.replace(/%2e/gi, '.');
    if (segment === '' || decoded === '.' || decoded === '..')
      return 'empty and dot segments are not forwarded';
  }
  return undefined;
}

/** The real-Neon backend: forwards /api/v2 to one configured upstream, adding the server's key. */
export function neonProxy(upstreamUrl: string, apiKey: string, fetchImpl: typeof fetch = fetch) {
  const upstream = new URL(upstreamUrl.replace(/\/+$/, ''));
  const base = upstream.pathname.replace(/\/+$/, '');
  return new Hono<ApiEnv>().all('*', async (c) => {
    const url = new URL(c.req.url);
    const problem = unsafeApiPath(url.pathname);
    if (problem) throw badRequest(`refused to forward this path: ${problem}`);
    const target = new URL(upstream.origin);
    target.pathname = base + url.pathname.slice('/api/v2'.length);
    target.search = url.search;
    if (target.origin !== upstream.origin || !target.pathname.startsWith(`${base}/`)) {
      throw badRequest('refused to forward this path');
    }
    const headers = new Headers({ authorization: `Bearer ${apiKey}` });
    for (const name of REQUEST_HEADERS) {
      const value = c.req.header(name);
      if (value) headers.set(name, value);
    }
    const method = c.req.method;
    const body = method === 'GET' || method === 'HEAD' ? undefined : await c.req.arrayBuffer();
    let response: Response;
    try {
      response = await fetchImpl(target, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: c.req.raw.signal,
      });
    } catch {
      throw new ApiError(502, `the Neon API at ${upstream.origin} could not be reached`);
    }
    const out = new Headers({ 'cache-control': 'no-store', 'x-request-id': c.get('requestId') });
    for (const name of RESPONSE_HEADERS) {
      const value = response.headers.get(name);
      if (value) out.set(name, value);
    }
    if (response.status >= 300 && response.status < 400) {
      throw new ApiError(502, 'the Neon API answered with a redirect, which is not followed');
    }
    return new Response(response.body, { status: response.status, headers: out });
  });
}
