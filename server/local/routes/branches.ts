import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiEnv } from '../../http/env.ts';
import type { LocalContext } from '../context.ts';
import * as shape from '../shapes.ts';
import { parseQuery, readBody } from '../../http/read-request.ts';
import { badRequest } from '../../http/errors.ts';
import { parseLsn } from '../lsn.ts';
import type { BranchPoint } from '../store/branch-history.ts';

const listQuery = z.object({
  search: z.string().optional(),
  sort_by: z.enum(['name', 'created_at', 'updated_at']).default('updated_at'),
  sort_order: z.enum(['asc', 'desc']).default('desc'),
  limit: z.coerce.number().int().min(1).max(10000).optional(),
  cursor: z.string().optional(),
});

const createBody = z.object({
  branch: z
    .object({
      parent_id: z
        .string()
        .regex(/^[a-z0-9-]{1,60}$/, 'must be a branch id')
        .or(z.literal(''))
        .optional(),
      name: z.string().min(1).max(256).optional(),
      parent_lsn: z.string().optional(),
      parent_timestamp: z.string().optional(),
      protected: z.boolean().optional(),
    })
    .default({}),
  endpoints: z.array(z.object({ type: z.enum(['read_write', 'read_only']) })).default([]),
  annotation_value: z.record(z.string(), z.string()).optional(),
});

function branchPoint(lsn: string | undefined, timestamp: string | undefined): BranchPoint {
  if (lsn !== undefined && timestamp !== undefined)
    throw badRequest('give parent_lsn or parent_timestamp, not both');
  if (lsn !== undefined) {
    const parsed = parseLsn(lsn);
    if (parsed === undefined)
      throw badRequest(`parent_lsn ${JSON.stringify(lsn)} is not an LSN like 0/1A2B3C4`);
    return { lsn: parsed };
  }
  if (timestamp !== undefined) {
    const ok = z.iso.datetime({ offset: true }).safeParse(timestamp).success;
    if (!ok)
      throw badRequest(
        `parent_timestamp ${JSON.stringify(timestamp)} is not an RFC 3339 timestamp`,
      );
    return { timestamp: Date.parse(timestamp) };
  }
  return undefined;
}

export function branchRoutes({ store, now, endpoint, computes }: LocalContext) {
  return (
    new Hono<ApiEnv>()
      .get('/projects/:projectId/branches', (c) => {
        const q = parseQuery(listQuery, c.req.query());
        let branches = store.listBranches(c.req.param('projectId'));
        if (q.search) {
          const needle = q.search.toLowerCase();
          branches = branches.filter(
            (b) => b.name.toLowerCase().includes(needle) || b.id.includes(needle),
          );
        }
        const key = q.sort_by;
        const dir = q.sort_order === 'asc' ? 1 : -1;
        branches.sort((a, b) => {
          const order = key === 'name' ? a.name.localeCompare(b.name) : a[key] - b[key];
          return (order || a.id.localeCompare(b.id)) * dir;
        });
        const offset = q.cursor ? Number.parseInt(q.cursor, 10) || 0 : 0;
        const end = q.limit ? offset + q.limit : branches.length;
        const page = branches.slice(offset, end);
        return c.json({
          branches: page.map(shape.branch),
          annotations: {},
          ...(q.limit
            ? {
                pagination: {
                  ...(end < branches.length ? { next: String(end) } : {}),
                  sort_by: key,
                  sort_order: q.sort_order,
                },
              }
            : {}),
        });
      })
      .post('/projects/:projectId/branches', async (c) => {
        const body = await readBody(c, createBody, { optional: true });
        const projectId = c.req.param('projectId');
        const project = store.project(projectId);
        const parentId = body.branch.parent_id || undefined;
        let point = branchPoint(body.branch.parent_lsn, body.branch.parent_timestamp);
        let walLsn: number | null | undefined;
        if (computes) {
          const parent = parentId
            ? store.branch(projectId, parentId)
            : store.defaultBranch(projectId);
          ({ point, walLsn } = await computes.branchPoint(parent, point));
        }
        const created = store.createBranch(projectId, {
          name: body.branch.name,
          parentId,
          point,
          walLsn,
          protected: body.branch.protected,
          endpoints: body.endpoints,
        });
        const { branch, endpoints, roles, databases } = created.value;
        const host = endpoints[0] ? endpoint(endpoints[0], project).host : undefined;
        c.header('Cache-Control', 'no-store');
        return c.json(
          {
            branch: shape.branch(branch),
            endpoints: endpoints.map((e) => endpoint(e, project)),
            operations: shape.operations(created.operations, now()),
            roles: roles.map((r) => shape.role(r)),
            databases: databases.map(shape.database),
            ...(host ? { connection_uris: shape.connectionUris(roles, databases, host) } : {}),
          },
          201,
        );
      })
      // Before /branches/:branchId, which would take "count" for a branch id.
      .get('/projects/:projectId/branches/count', (c) => {
        const { search } = parseQuery(z.object({ search: z.string().optional() }), c.req.query());
        const needle = search?.toLowerCase();
        const branches = store.listBranches(c.req.param('projectId'));
        return c.json({
          count: needle
            ? branches.filter((b) => b.name.toLowerCase().includes(needle) || b.id.includes(needle))
                .length
            : branches.length,
        });
      })
      .get('/projects/:projectId/branches/:branchId', (c) => {
        const branch = store.branch(c.req.param('projectId'), c.req.param('branchId'));
        return c.json({
          branch: shape.branch(branch),
          annotation: { object: { type: 'console/branch', id: branch.id }, value: {} },
        });
      })
      .delete('/projects/:projectId/branches/:branchId', (c) => {
        const deleted = store.deleteBranch(c.req.param('projectId'), c.req.param('branchId'));
        if (!deleted.value) return c.body(null, 204);
        return c.json({
          branch: shape.branch(deleted.value),
          operations: shape.operations(deleted.operations, now()),
        });
      })
  );
}
