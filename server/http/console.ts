import fs from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { compress } from 'hono/compress';
import { serveStatic } from '@hono/node-server/serve-static';
import { SESSION_COOKIE } from './auth.ts';
import type { ApiEnv } from './env.ts';

/** The built console with SPA fallback; serving its HTML hands the page its session cookie. */
export function mountConsole(app: Hono<ApiEnv>, consoleDir: string, session: string): void {
  const indexFile = path.join(consoleDir, 'index.html');
  if (fs.existsSync(consoleDir)) {
    app.use(
      '/assets/*',
      // Scripts and styles go as the build compressed them (a .br or .gz beside each, see
      // vite.config.ts); compress() is for whatever has none.
      compress(),
      serveStatic({
        root: consoleDir,
        precompressed: true,
        // File names carry a content hash, so they never change.
        onFound: (_p, c) => c.header('Cache-Control', 'public, max-age=31536000, immutable'),
      }),
    );
    // Other static files; the HTML itself is answered below, with the session cookie.
    app.get(
      '*',
      serveStatic({
        root: consoleDir,
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
