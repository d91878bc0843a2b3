import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiEnv } from '../../http/env.ts';
import type { LocalContext } from '../context.ts';
import * as shape from '../shapes.ts';
import { readBody } from '../../http/read-request.ts';
import { databaseName } from '../names.ts';

const createBody = z.object({
  database: z.object({
    name: databaseName,
    owner_name: z.string().min(1),
  }),
});

const DATABASE = '/projects/:projectId/branches/:branchId/databases/:databaseName';

export function databaseRoutes({ store, now }: LocalContext) {
  return new Hono<ApiEnv>()
    .get('/projects/:projectId/branches/:branchId/databases', (c) => {
      const databases = store.listDatabases(c.req.param('projectId'), c.req.param('branchId'));
      return c.json({ databases: databases.map(shape.database) });
    })
    .post('/projects/:projectId/branches/:branchId/databases', async (c) => {
      const { database } = await readBody(c, createBody);
      const created = store.createDatabase(c.req.param('projectId'), c.req.param('branchId'), {
        name: database.name,
        owner: database.owner_name,
      });
      return c.json(
        {
          database: shape.database(created.value),
          operations: shape.operations(created.operations, now()),
        },
        201,
      );
    })
    .get(DATABASE, (c) => {
      const db = store.database(
        c.req.param('projectId'),
        c.req.param('branchId'),
        c.req.param('databaseName'),
      );
      return c.json({ database: shape.database(db) });
    })
    .delete(DATABASE, (c) => {
      const deleted = store.deleteDatabase(
        c.req.param('projectId'),
        c.req.param('branchId'),
        c.req.param('databaseName'),
      );
      if (!deleted.value) return c.body(null, 204);
      return c.json({
        database: shape.database(deleted.value),
        operations: shape.operations(deleted.operations, now()),
      });
    });
}
