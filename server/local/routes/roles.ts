import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiEnv } from '../../http/env.ts';
import type { LocalContext } from '../context.ts';
import * as shape from '../shapes.ts';
import { VersionedCache } from '../versioned-cache.ts';
import { readBody } from '../../http/read-request.ts';
import { roleName } from '../names.ts';
import { ApiError } from '../../http/errors.ts';

const createBody = z.object({
  role: z.object({ name: roleName, no_login: z.boolean().optional() }),
});

const JSON_TYPE = { 'Content-Type': 'application/json' };
const UTF8 = new TextEncoder();
const ROLE = '/projects/:projectId/branches/:branchId/roles/:roleName';

export function roleRoutes({ store, now, computes }: LocalContext) {
  // The list's JSON per project and branch, until the next write: the hottest response of
  // the page. A hit skips the store entirely (a miss that throws, a 404, is not kept).
  // Kept as bytes: a string would be encoded to UTF-8 again for every answer (1.8 MB for
  // 10,000 roles).
  const listBodies = new VersionedCache<Uint8Array<ArrayBuffer>>(() => store.version);
  return new Hono<ApiEnv>()
    .get('/projects/:projectId/branches/:branchId/roles', (c) => {
      const projectId = c.req.param('projectId');
      const branchId = c.req.param('branchId');
      const body = listBodies.get(`${projectId}/${branchId}`, () =>
        UTF8.encode(
          JSON.stringify({ roles: store.listRoles(projectId, branchId).map((r) => shape.role(r)) }),
        ),
      );
      return c.body(body, 200, JSON_TYPE);
    })
    .post('/projects/:projectId/branches/:branchId/roles', async (c) => {
      const { role } = await readBody(c, createBody);
      const created = store.createRole(
        c.req.param('projectId'),
        c.req.param('branchId'),
        role.name,
        { noLogin: role.no_login },
      );
      c.header('Cache-Control', 'no-store');
      return c.json(
        {
          role: shape.role(created.value, true),
          operations: shape.operations(created.operations, now()),
        },
        201,
      );
    })
    .get(ROLE, (c) => {
      const role = store.role(
        c.req.param('projectId'),
        c.req.param('branchId'),
        c.req.param('roleName'),
      );
      return c.json({ role: shape.role(role) });
    })
    .delete(ROLE, async (c) => {
      const projectId = c.req.param('projectId');
      const branchId = c.req.param('branchId');
      const name = c.req.param('roleName');
      // The owner rule reads the real catalog too: a database made with SQL counts.
      store.branch(projectId, branchId);
      const ownedInCatalog = computes ? await computes.databasesOwnedBy(branchId, name) : [];
      const deleted = store.deleteRole(projectId, branchId, name, { ownedInCatalog });
      if (!deleted.value) return c.body(null, 204);
      return c.json({
        role: shape.role(deleted.value),
        operations: shape.operations(deleted.operations, now()),
      });
    })
    .post(`${ROLE}/reset_password`, (c) => {
      // No body is read: Neon's own client posts an empty form-encoded one here.
      const reset = store.resetPassword(
        c.req.param('projectId'),
        c.req.param('branchId'),
        c.req.param('roleName'),
      );
      c.header('Cache-Control', 'no-store');
      return c.json({
        role: shape.role(reset.value, true),
        operations: shape.operations(reset.operations, now()),
      });
    })
    .get(`${ROLE}/reveal_password`, (c) => {
      const projectId = c.req.param('projectId');
      const role = store.role(projectId, c.req.param('branchId'), c.req.param('roleName'));
      // The spec's 412: storing passwords is off for the whole project.
      if (!store.project(projectId).store_passwords)
        throw new ApiError(412, 'passwords are not stored for this project');
      c.header('Cache-Control', 'no-store');
      // A role without a password (no_login, web_access): Neon answers an empty one (issue 11).
      return c.json({ password: role.password ?? '' });
    });
}
