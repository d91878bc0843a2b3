import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { ApiError } from './errors.ts';

export const SESSION_COOKIE = 'neon_console_session';

/** Where the local server keeps the key it made for itself (its store's meta table). */
export interface KeyKeeper {
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
}

export interface ResolvedKey {
  /** The key clients send; in Neon mode, the real key (never printed). */
  apiKey: string;
  /** True when the key is the local server's own, kept in its data directory (so it may be printed). */
  generated: boolean;
}

/**
 * The configured key; without one, the local server's own: made on first start and kept, so
 * it survives restarts. Neon mode (no keeper) needs the real key.
 */
export function resolveApiKey(
  configured: string | undefined,
  keeper: KeyKeeper | undefined,
): ResolvedKey {
  if (configured) return { apiKey: configured, generated: false };
  if (!keeper) throw new Error('NEON_API_KEY is required when NEON_API_URL is set');
  let apiKey = keeper.getMeta('api_key');
  if (!apiKey) {
    apiKey = `neon_local_${randomBytes(32).toString('base64url')}`;
    keeper.setMeta('api_key', apiKey);
  }
  return { apiKey, generated: true };
}

/**
 * The console's session token: derived from the API key, so it survives restarts and
 * authorises the page's same-origin calls without the key ever reaching the browser.
 */
export function sessionToken(apiKey: string): string {
  return createHmac('sha256', apiKey).update('neon-users-console session v1').digest('base64url');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Accepts `Authorization: Bearer <key>`, the key in Neon's cookie forms (`zenith`,
 * `keycloak_token`, which neonctl sends), or the console's session cookie.
 */
export function requireAuth(apiKey: string): MiddlewareHandler {
  const session = sessionToken(apiKey);
  // A client sends the same Authorization or Cookie value on every request: a value that
  // passed is kept and recognised by lookup, so the parsing and constant-time comparisons
  // run once per client, not per request. Only passing values are kept (bounded), so a
  // lookup never stands in for checking a value not seen before.
  const verifiedHeaders = new Set<string>();
  const verifiedCookies = new Set<string>();
  const remember = (set: Set<string>, value: string) => {
    if (set.size >= 64) set.clear();
    set.add(value);
  };
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const cookies = c.req.header('cookie') ?? '';
    if (verifiedHeaders.has(header) || verifiedCookies.has(cookies)) return next();
    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (bearer !== undefined && same(bearer, apiKey)) {
      remember(verifiedHeaders, header);
      return next();
    }
    const fromCookies = [getCookie(c, 'zenith'), getCookie(c, 'keycloak_token')];
    if (
      fromCookies.some((k) => k !== undefined && same(k, apiKey)) ||
      same(getCookie(c, SESSION_COOKIE) ?? '', session)
    ) {
      remember(verifiedCookies, cookies);
      return next();
    }
    throw new ApiError(
      401,
      header || bearer || fromCookies.some(Boolean)
        ? 'the API key is not valid'
        : 'authentication required: send Authorization: Bearer <API key>',
    );
  };
}
