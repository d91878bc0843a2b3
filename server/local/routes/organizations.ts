import { Hono } from 'hono';
import type { ApiEnv } from '../../http/env.ts';
import { ApiError } from '../../http/errors.ts';
import type { LocalContext } from '../context.ts';
import { ORG_NOT_FOUND } from '../organization.ts';
import * as shape from '../shapes.ts';

/** The local account's one organization: what `neonctl orgs list` and Neon's MCP server read. */
export function organizationRoutes({ organization }: LocalContext) {
  return new Hono<ApiEnv>()
    .get('/users/me/organizations', (c) =>
      c.json({ organizations: [shape.organization(organization)] }),
    )
    .get('/organizations/:orgId', (c) => {
      if (c.req.param('orgId') !== organization.id) throw new ApiError(404, ORG_NOT_FOUND);
      return c.json(shape.organization(organization));
    });
}
