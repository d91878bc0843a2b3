import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { ApiEnv } from '../../http/env.ts';
import type { LocalContext } from '../context.ts';
import * as shape from '../shapes.ts';
import { parseQuery } from '../../http/read-request.ts';
import { badRequest } from '../../http/errors.ts';

const ENDPOINT = '/projects/:projectId/endpoints/:endpointId';

const id = z.string().regex(/^[a-z0-9-]{1,60}$/, 'must be an id');
const connectionQuery = z.object({
  branch_id: id.optional(),
  endpoint_id: id.optional(),
  database_name: z.string().min(1),
  role_name: z.string().min(1),
  pooled: z.enum(['true', 'false']).optional(),
});

export function endpointRoutes({ store, endpoint, now }: LocalContext) {
  const action = (name: 'start' | 'suspend' | 'restart') => (c: Context<ApiEnv>) => {
    const project = store.project(c.req.param('projectId')!);
    const done = store.endpointAction(project.id, c.req.param('endpointId')!, name);
    return c.json({
      endpoint: endpoint(done.value, project),
      operations: shape.operations(done.operations, now()),
    });
  };
  return new Hono<ApiEnv>()
    .get('/projects/:projectId/endpoints', (c) => {
      const project = store.project(c.req.param('projectId'));
      return c.json({
        endpoints: store.listEndpoints(project.id).map((e) => endpoint(e, project)),
      });
    })
    .get('/projects/:projectId/branches/:branchId/endpoints', (c) => {
      const project = store.project(c.req.param('projectId'));
      const endpoints = store.listEndpoints(project.id, c.req.param('branchId'));
      return c.json({ endpoints: endpoints.map((e) => endpoint(e, project)) });
    })
    .get(ENDPOINT, (c) => {
      const project = store.project(c.req.param('projectId'));
      return c.json({
        endpoint: endpoint(store.endpoint(project.id, c.req.param('endpointId')), project),
      });
    })
    .post(`${ENDPOINT}/start`, action('start'))
    .post(`${ENDPOINT}/suspend`, action('suspend'))
    .post(`${ENDPOINT}/restart`, action('restart'))
    .get('/projects/:projectId/connection_uri', (c) => {
      const q = parseQuery(connectionQuery, c.req.query());
      const project = store.project(c.req.param('projectId'));
      const chosen = q.endpoint_id ? store.endpoint(project.id, q.endpoint_id) : undefined;
      const branchId = q.branch_id ?? chosen?.branch_id ?? store.defaultBranch(project.id).id;
      if (chosen && chosen.branch_id !== branchId) {
        throw badRequest(`endpoint ${chosen.id} does not belong to branch ${branchId}`);
      }
      const target =
        chosen ?? store.listEndpoints(project.id, branchId).find((e) => e.type === 'read_write');
      if (!target) throw badRequest(`branch ${branchId} has no read-write endpoint`);
      const role = store.role(project.id, branchId, q.role_name);
      const database = store.database(project.id, branchId, q.database_name);
      // Neon's answer for these is not known: a 400 that says which case it is.
      if (role.no_login) {
        throw badRequest(
          `role ${JSON.stringify(role.name)} cannot log in (no_login): it has no connection URI`,
        );
      }
      if (role.password === null || !project.store_passwords) {
        throw badRequest(`the password of role ${JSON.stringify(role.name)} is not stored`);
      }
      const host = endpoint(target, project).host;
      c.header('Cache-Control', 'no-store');
      return c.json({
        uri: shape.connectionUri(
          role.name,
          role.password,
          q.pooled === 'true' ? shape.poolerHost(host) : host,
          database.name,
        ),
      });
    });
}
