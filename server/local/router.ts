import { Hono } from 'hono';
import type { ApiEnv } from '../http/env.ts';
import { ApiError } from '../http/errors.ts';
import type { Store } from './store/store.ts';
import type { Limits } from './store/limits.ts';
import type { Computes } from './computes/computes.ts';
import type { LocalContext } from './context.ts';
import * as shape from './shapes.ts';
import { specRoute } from './spec-routes.ts';
import { answersWhenDurable } from './durable-answers.ts';
import { projectRoutes } from './routes/projects.ts';
import { branchRoutes } from './routes/branches.ts';
import { roleRoutes } from './routes/roles.ts';
import { databaseRoutes } from './routes/databases.ts';
import { endpointRoutes } from './routes/endpoints.ts';
import { operationRoutes } from './routes/operations.ts';
import { accountRoutes, localAccount } from './routes/account.ts';
import { organizationRoutes } from './routes/organizations.ts';
import { localOrganization } from './organization.ts';

/** Who the local server's one account is, and its organization (from Config). */
export interface LocalAccountSettings {
  account: string;
  orgId: string;
  orgName: string;
  orgOnly: boolean;
  limits: Pick<Limits, 'branchesPerProject'>;
}

/** Neon's spec knows the path: 501 for a method we do not implement, 405 for one Neon lacks. */
function unimplemented(method: string, path: string): ApiError {
  const known = specRoute(path);
  if (!known) return new ApiError(404, `no such endpoint: ${method} /api/v2${path}`);
  if (known.methods.includes(method)) {
    return new ApiError(
      501,
      `${method} /api/v2${path} is part of Neon's API but not implemented by the local server`,
    );
  }
  const allowed = known.methods.join(', ');
  return new ApiError(405, `${method} is not allowed on /api/v2${path} (allowed: ${allowed})`, {
    headers: { Allow: allowed },
  });
}

/** The local Neon API v2, mounted at /api/v2 (auth and limits are in front of it). */
export function localApi(
  store: Store,
  settings: LocalAccountSettings,
  computes?: Computes,
  now: () => number = Date.now,
) {
  const ctx: LocalContext = {
    store,
    account: localAccount(settings.account, settings.limits.branchesPerProject),
    organization: localOrganization(
      store,
      { id: settings.orgId, name: settings.orgName, orgOnly: settings.orgOnly },
      now(),
    ),
    now,
    computes,
    endpoint: (e, p) => shape.endpoint(e, p, computes?.describe(e)),
  };
  return new Hono<ApiEnv>()
    .use(answersWhenDurable(store))
    .route('/', projectRoutes(ctx))
    .route('/', branchRoutes(ctx))
    .route('/', roleRoutes(ctx))
    .route('/', databaseRoutes(ctx))
    .route('/', endpointRoutes(ctx))
    .route('/', operationRoutes(ctx))
    .route('/', accountRoutes(ctx))
    .route('/', organizationRoutes(ctx))
    .all('*', (c) => {
      throw unimplemented(c.req.method, c.req.path.replace(/^\/api\/v2/, ''));
    });
}
