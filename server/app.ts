import { Hono } from 'hono';
import type { Config } from './config.ts';
import type { ApiEnv } from './http/env.ts';
import { ApiError } from './http/errors.ts';
import { bodyWithin } from './http/body-limit.ts';
import { requestIds, requestLog, type Log } from './http/request-log.ts';
import { neonErrors } from './http/on-error.ts';
import { allowedHostsOnly, sameOriginWrites, securityHeaders } from './http/security.ts';
import { requireAuth, resolveApiKey, sessionToken } from './http/auth.ts';
import { FaultInjector, faultAdmin } from './http/faults.ts';
import { mountConsole } from './http/console.ts';
import { RememberedRoutes } from './http/remembered-routes.ts';
import { Store } from './local/store/store.ts';
import type { Fsync } from './local/store/group-commit.ts';
import { seedDemoProject } from './local/seed.ts';
import { apiErrorOfStoreError } from './local/store-error-status.ts';
import { rateLimit } from './local/rate-limit.ts';
import { localApi } from './local/router.ts';
import { neonProxy } from './neon/proxy.ts';
import { NeonKeyCheck } from './neon/key-check.ts';
import { Computes } from './local/computes/computes.ts';

export type { Log };

export interface ServerApp {
  app: Hono<ApiEnv>;
  /** The key clients send; in Neon mode, the real key (never printed). */
  apiKey: string;
  /** True when the key is the local server's own, kept in its data directory (so it may be printed). */
  generatedKey: boolean;
  store: Store | undefined;
  /** Neon mode: asks Neon whose the key is (run by `main.ts` at start-up). */
  keyCheck: NeonKeyCheck | undefined;
  /** The real Postgres behind each branch (NEON_LOCAL_COMPUTES), in local mode. */
  computes: Computes | undefined;
  /** Stops every Postgres this app started, then closes the store. */
  close(): Promise<void>;
}

export interface AppOptions {
  /** The rate limiter's clock, in ms (tests move it by hand). */
  rateLimitClock?: () => number;
  /** How the store syncs its WAL (tests make it fail; production keeps fs.fdatasync). */
  fsync?: Fsync;
}

/** One app, in the order a request meets it: security in front, the API at /api/v2 (local or Neon), the console at /. */
export function createApp(
  config: Config,
  log: Log = () => {},
  { rateLimitClock = Date.now, fsync }: AppOptions = {},
): ServerApp {
  const store = config.upstreamUrl
    ? undefined
    : new Store({
        dataDir: config.dataDir,
        operationMs: config.operationMs,
        computes: config.computes,
        fsync,
        limits: config.limits,
      });
  const { apiKey, generated } = resolveApiKey(config.apiKey, store);
  store?.adoptProjects(config.orgId);
  if (store && config.seed && store.isEmpty()) seedDemoProject(store, config.account, config.orgId);
  const keyCheck = config.upstreamUrl ? new NeonKeyCheck(config.upstreamUrl, apiKey) : undefined;
  const computes =
    store && config.computes
      ? new Computes(store, {
          dataDir: config.dataDir,
          suspendTimeoutSeconds: config.suspendTimeoutSeconds,
          log,
        })
      : undefined;
  const faults = config.faults
    ? new FaultInjector((project, reason) => store?.operations.failNext(project, reason))
    : undefined;

  const app = new Hono<ApiEnv>({ router: new RememberedRoutes() });
  app.onError(neonErrors(log, apiErrorOfStoreError));
  app.use(requestIds());
  if (!config.quiet) app.use(requestLog(log));
  app.use(
    allowedHostsOnly(config.host, config.allowedHosts),
    securityHeaders(),
    sameOriginWrites(),
  );

  app.route('/__neon-local/faults', faultAdmin(faults, apiKey));

  app.use('/api/v2/*', requireAuth(apiKey), bodyWithin(config.maxBodyBytes, tooLarge(config)));
  if (faults) app.use('/api/v2/*', faults.middleware());
  if (store) {
    if (config.rateLimitPerMinute || config.rateLimitPerSecond)
      app.use(
        '/api/v2/*',
        rateLimit(config.rateLimitPerMinute, config.rateLimitPerSecond, rateLimitClock),
      );
    if (computes) {
      // A write stored operations: the compute executor runs them after the answer.
      app.use('/api/v2/*', async (c, next) => {
        await next();
        if (c.req.method !== 'GET') computes.kick();
      });
    }
    app.route('/api/v2', localApi(store, config, computes));
  } else {
    app.use('/api/v2/*', keyCheck!.middleware());
    app.route('/api/v2', neonProxy(config.upstreamUrl!, apiKey));
  }
  app.all('/api/*', (c) => {
    throw new ApiError(404, `no such endpoint: ${c.req.method} ${c.req.path}`);
  });

  mountConsole(
    app,
    config.consoleDir,
    sessionToken(apiKey),
    store ? (projectId) => store.defaultBranch(projectId)?.id : undefined,
  );

  return {
    app,
    apiKey,
    generatedKey: generated,
    store,
    keyCheck,
    computes,
    close: () => {
      // Without computes the store closes at once (tests reopen its files right after).
      if (!computes) {
        store?.close();
        return Promise.resolve();
      }
      return computes.close().finally(() => store?.close());
    },
  };
}

const tooLarge = (config: Config) => () => {
  throw new ApiError(413, `request body is larger than ${config.maxBodyBytes} bytes`);
};
