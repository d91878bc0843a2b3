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
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const candidates = [bearer, getCookie(c, 'zenith'), getCookie(c, 'keycloak_token')];
    const ok =
      candidates.some((k) => k !== undefined && same(k, apiKey)) ||
      same(getCookie(c, SESSION_COOKIE) ?? '', session);
    if (!ok) {
      throw new ApiError(
        401,
        header || candidates.some(Boolean)
          ? 'the API key is not valid'
          : 'authentication required: send Authorization: Bearer <API key>',
      );
    }
    await next();
  };
}
