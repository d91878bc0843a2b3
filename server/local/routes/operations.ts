import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiEnv } from '../../http/env.ts';
import type { LocalContext } from '../context.ts';
import * as shape from '../shapes.ts';
import { parseQuery } from '../../http/read-request.ts';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().regex(/^\d+$/, 'must be a cursor from a previous page').optional(),
});

export function operationRoutes({ store, now }: LocalContext) {
  return new Hono<ApiEnv>()
    .get('/projects/:projectId/operations', (c) => {
      const q = parseQuery(listQuery, c.req.query());
      const ops = store.listOperations(
        c.req.param('projectId'),
        q.limit,
        q.cursor ? Number(q.cursor) : undefined,
      );
      return c.json({
        operations: shape.operations(ops, now()),
        ...(ops.length ? { pagination: { cursor: String(ops[ops.length - 1]!.seq) } } : {}),
      });
    })
    .get('/projects/:projectId/operations/:operationId', (c) => {
      const op = store.operation(c.req.param('projectId'), c.req.param('operationId'));
      return c.json({ operation: shape.operation(op, now()) });
    });
}
