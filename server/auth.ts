import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { ApiError } from './local/errors.ts';

export const SESSION_COOKIE = 'neon_console_session';

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
        'UNAUTHORIZED',
        header || candidates.some(Boolean)
          ? 'the API key is not valid'
          : 'authentication required: send Authorization: Bearer <API key>',
      );
    }
    await next();
  };
}
