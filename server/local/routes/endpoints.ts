import { Hono } from 'hono';
import type { ApiEnv } from '../../http/env.ts';
import type { LocalContext } from '../context.ts';
import * as shape from '../shapes.ts';

export function endpointRoutes({ store }: LocalContext) {
  return new Hono<ApiEnv>()
    .get('/projects/:projectId/endpoints', (c) => {
      const project = store.project(c.req.param('projectId'));
      return c.json({
        endpoints: store.listEndpoints(project.id).map((e) => shape.endpoint(e, project)),
      });
    })
    .get('/projects/:projectId/branches/:branchId/endpoints', (c) => {
      const project = store.project(c.req.param('projectId'));
      const endpoints = store.listEndpoints(project.id, c.req.param('branchId'));
      return c.json({ endpoints: endpoints.map((e) => shape.endpoint(e, project)) });
    });
}
