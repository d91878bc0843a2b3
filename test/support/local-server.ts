import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { loadConfig } from '../../server/config.ts';
import { createApp, type Log } from '../../server/app.ts';
import { SESSION_COOKIE, sessionToken } from '../../server/http/auth.ts';
import { answerUnparsableRequests } from '../../server/http/unparsable-requests.ts';
import type { Store } from '../../server/local/store/store.ts';
import { testServerEnv } from './test-env.ts';

export interface LocalServer {
  url: string;
  apiKey: string;
  /** `name=value`, to send as the Cookie header the way the console's browser would. */
  sessionCookie: string;
  /** The store behind the API (undefined in Neon mode), for tests that compare what is stored. */
  store: Store | undefined;
  close(): Promise<void>;
}

/**
 * Starts the real server in-process on a free port: in-memory store, demo seed, instant
 * operations and no rate limits unless `env` says otherwise.
 */
export async function startLocalServer(
  env: Record<string, string> = {},
  log?: Log,
): Promise<LocalServer> {
  // Quiet unless a test asks: the in-process server's log goes to `log`, not stdout.
  const config = loadConfig(
    testServerEnv({ NEON_API_KEY: 'test-api-key', PORT: '0', NEON_LOCAL_QUIET: '0', ...env }),
  );
  const server = createApp(config, log);
  const httpServer = serve({ fetch: server.app.fetch, hostname: '127.0.0.1', port: 0 });
  answerUnparsableRequests(httpServer as Server);
  await new Promise<void>((resolve) => httpServer.once('listening', () => resolve()));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey: server.apiKey,
    sessionCookie: `${SESSION_COOKIE}=${sessionToken(server.apiKey)}`,
    store: server.store,
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.close(() => void server.close().then(resolve));
        (httpServer as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
