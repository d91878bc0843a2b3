import fs from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { compress } from 'hono/compress';
import { serveStatic } from '@hono/node-server/serve-static';
import { SESSION_COOKIE } from './auth.ts';
import type { ApiEnv } from './env.ts';
import { usersPageReads } from '../../rules/users-page-reads.ts';

/** The users page's route (src/lib/routes.ts), for ids shaped as Neon's; others get no preloads. */
const USERS_PAGE = /^\/projects\/([\w-]+)\/settings\/users\/?$/;
const ID = /^[\w-]+$/;

/**
 * `Link: <…>; rel=preload; as=fetch` for each read of the users page's first paint: the
 * browser fetches them while it loads the scripts, and the console's own requests (same
 * URL, CORS mode, same-origin credentials) take those answers. The branch is the URL's, or
 * the project's default when the server knows it (local mode); in Neon mode without one
 * the console asks for the branch's users once the branches arrive.
 */
function preloadLinks(
  path: string,
  branchParam: string | undefined,
  defaultBranchOf: ((projectId: string) => string | undefined) | undefined,
): string | undefined {
  const projectId = USERS_PAGE.exec(path)?.[1];
  if (!projectId) return undefined;
  const branchId =
    branchParam === undefined
      ? defaultBranchOf?.(projectId)
      : ID.test(branchParam)
        ? branchParam
        : undefined;
  return usersPageReads(projectId, branchId)
    .map((url) => `<${url}>; rel=preload; as=fetch; crossorigin`)
    .join(', ');
}

/**
 * The built console with SPA fallback; serving its HTML hands the page its session cookie
 * and, for the users page, preloads of its first reads. `defaultBranchOf` names a project's
 * default branch where the server knows it.
 */
export function mountConsole(
  app: Hono<ApiEnv>,
  consoleDir: string,
  session: string,
  defaultBranchOf?: (projectId: string) => string | undefined,
): void {
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
    const links = preloadLinks(c.req.path, c.req.query('branch'), defaultBranchOf);
    if (links) c.header('Link', links);
    return c.html(fs.readFileSync(indexFile, 'utf8'));
  });
}
