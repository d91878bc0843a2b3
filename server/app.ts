import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { setCookie } from 'hono/cookie';
import { compress } from 'hono/compress';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Config } from './config.ts';
import { ApiError } from './local/errors.ts';
import { requestId as newRequestId, secretToken } from './local/ids.ts';
import { Store } from './local/store.ts';
import { seedDemoProject } from './local/seed.ts';
import { localApi } from './local/api.ts';
import { rateLimit } from './local/rate-limit.ts';
import type { ApiEnv } from './local/context.ts';
import { FaultInjector, faultRoutes } from './faults.ts';
import { neonProxy } from './proxy.ts';
import { requireAuth, SESSION_COOKIE, sessionToken } from './auth.ts';

export type Log = (line: string) => void;

export interface ServerApp {
  app: Hono<ApiEnv>;
  /** The key clients send; in Neon mode, the real key (never printed). */
  apiKey: string;
  /** True when the key is the local server's own, kept in its data directory (so it may be printed). */
  generatedKey: boolean;
  store: Store | undefined;
  close(): void;
}

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

function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d+$/, '');
}

function errorResponse(c: Context<ApiEnv>, err: ApiError) {
  for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  return c.json(
    { code: err.code, message: err.message, request_id: c.get('requestId') },
    err.status,
  );
}

/** One app: security in front, the API at /api/v2 (local or forwarded to Neon), the console at /. */
export function createApp(config: Config, log: Log = () => {}): ServerApp {
  const store = config.upstreamUrl
    ? undefined
    : new Store({ dataDir: config.dataDir, operationMs: config.operationMs });
  let apiKey = config.apiKey;
  const generatedKey = !apiKey && store !== undefined;
  if (!apiKey && store) {
    apiKey = store.getMeta('api_key');
    if (!apiKey) {
      apiKey = `neon_local_${secretToken()}`;
      store.setMeta('api_key', apiKey);
    }
  }
  if (!apiKey) throw new Error('NEON_API_KEY is required when NEON_API_URL is set');
  if (store && config.seed && store.isEmpty()) seedDemoProject(store, config.account);

  const allowedHosts = new Set([...LOOPBACK, ...config.allowedHosts, hostName(config.host)]);
  const faults = config.faults ? new FaultInjector() : undefined;
  const app = new Hono<ApiEnv>();

  app.use(async (c, next) => {
    const incoming = c.req.header('x-request-id');
    c.set('requestId', incoming && incoming.length <= 200 ? incoming : newRequestId());
    const started = performance.now();
    await next();
    c.header('X-Request-ID', c.get('requestId'));
    // Method, path and status only: bodies (which may hold passwords) are never logged.
    log(
      `${c.req.method} ${c.req.path} ${c.res.status} ${(performance.now() - started).toFixed(1)}ms`,
    );
  });

  app.onError((err, c) => {
    if (err instanceof ApiError) return errorResponse(c, err);
    if (err instanceof HTTPException) {
      return errorResponse(
        c,
        new ApiError(
          err.status as 400,
          err.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST',
          err.message || 'bad request',
        ),
      );
    }
    log(
      `error ${c.get('requestId')}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    return errorResponse(c, new ApiError(500, 'INTERNAL_ERROR', 'internal server error'));
  });

  // DNS rebinding: only our own names may reach us.
  app.use(async (c, next) => {
    // An absolute request target (`GET http://other/...`) names a host of its own: check both.
    const host = [hostName(c.req.header('host') ?? ''), hostName(new URL(c.req.url).host)].find(
      (h) => !allowedHosts.has(h),
    );
    if (host !== undefined) {
      throw new ApiError(
        403,
        'FORBIDDEN',
        `host ${JSON.stringify(host)} is not allowed; add it to NEON_LOCAL_ALLOWED_HOSTS`,
      );
    }
    await next();
  });

  app.use(
    secureHeaders({
      contentSecurityPolicy: CSP,
      referrerPolicy: 'no-referrer',
      xFrameOptions: 'DENY',
    }),
  );

  // Browsers may change state only from our own pages.
  app.use(async (c, next) => {
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
        throw new ApiError(403, 'FORBIDDEN', 'cross-site requests may not change anything');
    }
    await next();
  });

  if (faults)
    app.route(
      '/__neon-local/faults',
      new Hono().use(requireAuth(apiKey)).route('/', faultRoutes(faults)),
    );
  else {
    app.all('/__neon-local/faults', () => {
      throw new ApiError(
        403,
        'FORBIDDEN',
        'fault injection is disabled; start the server with NEON_LOCAL_FAULTS=1',
      );
    });
  }

  app.use('/api/v2/*', requireAuth(apiKey));
  app.use(
    '/api/v2/*',
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: () => {
        throw new ApiError(
          413,
          'PAYLOAD_TOO_LARGE',
          `request body is larger than ${config.maxBodyBytes} bytes`,
        );
      },
    }),
  );
  if (faults) app.use('/api/v2/*', faults.middleware());
  if (store) {
    app.use('/api/v2/*', rateLimit(config.rateLimitPerMinute, config.rateLimitPerSecond));
    const account = {
      login: config.account,
      email: `${config.account}@example.com`,
      id: createHash('sha256').update(config.account).digest('hex').slice(0, 32),
    };
    app.route('/api/v2', localApi({ store, account, now: Date.now }));
  } else {
    app.route('/api/v2', neonProxy(config.upstreamUrl!, apiKey));
  }
  app.all('/api/*', (c) => {
    throw new ApiError(404, 'NOT_FOUND', `no such endpoint: ${c.req.method} ${c.req.path}`);
  });

  mountConsole(app, config, sessionToken(apiKey));

  return { app, apiKey, generatedKey, store, close: () => store?.close() };
}

/** The built console with SPA fallback; serving its HTML hands the page its session cookie. */
function mountConsole(app: Hono<ApiEnv>, config: Config, session: string) {
  const indexFile = path.join(config.consoleDir, 'index.html');
  if (fs.existsSync(config.consoleDir)) {
    app.use(
      '/assets/*',
      compress(),
      serveStatic({
        root: config.consoleDir,
        // File names carry a content hash, so they never change.
        onFound: (_p, c) => c.header('Cache-Control', 'public, max-age=31536000, immutable'),
      }),
    );
    // Other static files; the HTML itself is answered below, with the session cookie.
    app.get(
      '*',
      serveStatic({
        root: config.consoleDir,
        rewriteRequestPath: (p) => (p === '/' || p === '/index.html' ? '/__none__' : p),
      }),
    );
  }
  app.get('*', (c) => {
    if (!fs.existsSync(indexFile)) {
      // Without a build there is no page, only the API: say where it is.
      return c.text(
        `The console is not built yet. The Neon API is at ${new URL(c.req.url).origin}/api/v2 (run \`npm start\` to build and serve the console).\n`,
        404,
      );
    }
    setCookie(c, SESSION_COOKIE, session, { httpOnly: true, sameSite: 'Strict', path: '/' });
    c.header('Cache-Control', 'no-cache');
    return c.html(fs.readFileSync(indexFile, 'utf8'));
  });
}
