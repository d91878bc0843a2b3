import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiEnv } from '../../http/env.ts';
import type { LocalContext } from '../context.ts';
import * as shape from '../shapes.ts';
import { parseQuery, readBody } from '../../http/read-request.ts';
import { roleName, databaseNameRefusal } from '../names.ts';
import { ApiError, badRequest } from '../../http/errors.ts';
import {
  ORG_ID_PATTERN,
  ORG_ID_REQUIRED,
  ORG_NOT_FOUND,
  type Organization,
} from '../organization.ts';

const orgId = z.string().regex(ORG_ID_PATTERN);

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(400).default(10),
  cursor: z.string().optional(),
  search: z.string().optional(),
  org_id: orgId.optional(),
  /** Deleted projects still in their recovery window: the local server deletes none, so none. */
  recoverable: z.stringbool().default(false),
  /** How long Neon may take before answering what it has: a local list is never cut short. */
  timeout: z.coerce.number().int().min(100).max(30_000).optional(),
});

/**
 * The organization a project call is about: the one named (which must be the account's),
 * else the account's own, unless the account is organization-only (then Neon's 400).
 */
function organizationOf(named: string | undefined, organization: Organization): string {
  if (named === undefined) {
    if (organization.orgOnly) throw badRequest(ORG_ID_REQUIRED);
    return organization.id;
  }
  if (named !== organization.id) throw new ApiError(404, ORG_NOT_FOUND);
  return named;
}

const createBody = z.object({
  project: z
    .object({
      name: z.string().min(1).max(256).optional(),
      region_id: z.string().min(1).optional(),
      pg_version: z.number().int().min(14).max(18).optional(),
      org_id: orgId.optional(),
      store_passwords: z.boolean().optional(),
      history_retention_seconds: z.number().int().min(0).max(2_592_000).optional(),
      branch: z
        .object({
          name: z.string().min(1).max(256).optional(),
          role_name: roleName.optional(),
          database_name: z.string().optional(),
        })
        .optional(),
    })
    .default({}),
});

export function projectRoutes({ store, account, organization, now, endpoint }: LocalContext) {
  return (
    new Hono<ApiEnv>()
      .get('/projects', (c) => {
        const q = parseQuery(listQuery, c.req.query());
        const orgId = organizationOf(q.org_id, organization);
        let projects = q.recoverable ? [] : store.listProjects(orgId);
        if (q.search) {
          const needle = q.search.toLowerCase();
          projects = projects.filter(
            (p) => p.name.toLowerCase().includes(needle) || p.id.includes(needle),
          );
        }
        if (q.cursor) {
          const after = projects.findIndex((p) => p.id === q.cursor);
          projects = after === -1 ? [] : projects.slice(after + 1);
        }
        const page = projects.slice(0, q.limit);
        return c.json({
          projects: page.map((p) => shape.projectListItem(p, account)),
          ...(page.length ? { pagination: { cursor: page[page.length - 1]!.id } } : {}),
          applications: {},
          integrations: {},
        });
      })
      .post('/projects', async (c) => {
        const { project: input } = await readBody(c, createBody);
        const orgId = organizationOf(input.org_id, organization);
        const databaseName = input.branch?.database_name ?? 'neondb';
        const problem = databaseNameRefusal(databaseName);
        if (problem) throw badRequest(problem);
        const created = store.createProject({
          orgId,
          name: input.name,
          regionId: input.region_id,
          pgVersion: input.pg_version,
          storePasswords: input.store_passwords,
          historyRetentionSeconds: input.history_retention_seconds,
          branchName: input.branch?.name,
          roleName: input.branch?.role_name ?? account.login,
          databaseName,
        });
        const { project, branch } = created.value;
        const endpoints = store.listEndpoints(project.id, branch.id);
        const roles = store.listRoles(project.id, branch.id);
        const databases = store.listDatabases(project.id, branch.id);
        const host = endpoint(endpoints[0]!, project).host;
        const t = now();
        c.header('Cache-Control', 'no-store');
        return c.json(
          {
            project: shape.project(project, account, t),
            connection_uris: shape.connectionUris(roles, databases, host),
            roles: roles.map((r) => shape.role(r, true)),
            databases: databases.map(shape.database),
            operations: shape.operations(created.operations, t),
            branch: shape.branch(branch),
            endpoints: endpoints.map((e) => endpoint(e, project)),
          },
          201,
        );
      })
      // Before /projects/:projectId, which would take "shared" for an id. neonctl's
      // `projects list` also lists shared projects; a local account has none.
      .get('/projects/shared', (c) => {
        parseQuery(listQuery, c.req.query());
        return c.json({ projects: [] });
      })
      .get('/projects/:projectId', (c) => {
        const project = store.project(c.req.param('projectId'));
        return c.json({ project: shape.project(project, account, now()) });
      })
  );
}
