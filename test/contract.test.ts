// Every response of every implemented endpoint, success and error, checked against the
// response schemas of Neon's OpenAPI spec as shipped in the installed @neondatabase/api-client.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NEON_SPEC_PATHS } from '../server/local/spec-paths.ts';
import {
  fillPath,
  inProcessApi,
  type ApiResponse,
  type Body,
  type InProcessApi,
  type RequestOptions,
} from './support/api.ts';
import { specPaths } from './support/neon-spec.ts';
import { NeonSpecValidator } from './support/spec-validator.ts';

// In-process and fast, but other test files share the CPU: allow for a busy machine.
vi.setConfig({ testTimeout: 30_000 });

const spec = new NeonSpecValidator();

const PROJECTS = '/projects';
const PROJECT = '/projects/{project_id}';
const BRANCHES = '/projects/{project_id}/branches';
const BRANCH = '/projects/{project_id}/branches/{branch_id}';
const ROLES = '/projects/{project_id}/branches/{branch_id}/roles';
const ROLE = '/projects/{project_id}/branches/{branch_id}/roles/{role_name}';
const RESET = '/projects/{project_id}/branches/{branch_id}/roles/{role_name}/reset_password';
const REVEAL = '/projects/{project_id}/branches/{branch_id}/roles/{role_name}/reveal_password';
const DATABASES = '/projects/{project_id}/branches/{branch_id}/databases';
const DATABASE = '/projects/{project_id}/branches/{branch_id}/databases/{database_name}';
const PROJECT_ENDPOINTS = '/projects/{project_id}/endpoints';
const BRANCH_ENDPOINTS = '/projects/{project_id}/branches/{branch_id}/endpoints';
const OPERATIONS = '/projects/{project_id}/operations';
const OPERATION = '/projects/{project_id}/operations/{operation_id}';
const ME = '/users/me';
const AUTH = '/auth';
const MY_ORGS = '/users/me/organizations';
const ORG = '/organizations/{org_id}';

/** The endpoints the local server implements, and the success statuses each must show. */
const IMPLEMENTED: [string, string, number[]][] = [
  ['GET', PROJECTS, [200]],
  ['POST', PROJECTS, [201]],
  ['GET', PROJECT, [200]],
  ['GET', '/projects/shared', [200]],
  ['GET', BRANCHES, [200]],
  ['POST', BRANCHES, [201]],
  ['GET', BRANCH, [200]],
  ['DELETE', BRANCH, [200, 204]],
  ['GET', '/projects/{project_id}/branches/count', [200]],
  ['GET', ROLES, [200]],
  ['POST', ROLES, [201]],
  ['GET', ROLE, [200]],
  ['DELETE', ROLE, [200, 204]],
  ['POST', RESET, [200]],
  ['GET', REVEAL, [200]],
  ['GET', DATABASES, [200]],
  ['POST', DATABASES, [201]],
  ['GET', DATABASE, [200]],
  ['DELETE', DATABASE, [200, 204]],
  ['GET', PROJECT_ENDPOINTS, [200]],
  ['GET', BRANCH_ENDPOINTS, [200]],
  ['GET', OPERATIONS, [200]],
  ['GET', OPERATION, [200]],
  ['GET', ME, [200]],
  ['GET', AUTH, [200]],
  ['GET', MY_ORGS, [200]],
  ['GET', ORG, [200]],
];

/** Error statuses whose GeneralError body must be seen (and validated) at least once. */
const ERROR_STATUSES = [400, 401, 404, 405, 409, 412, 413, 415, 422, 423, 429, 501];

/** The upper-case codes Neon uses (issue 11, from errors quoted in public trackers). */
const NEON_CODES = [
  'ROLE_PASSWORD_NOT_AVAILABLE',
  'PROJECTS_LIMIT_EXCEEDED',
  'BRANCHES_LIMIT_EXCEEDED',
  'ROLES_LIMIT_EXCEEDED',
  'DATABASES_LIMIT_EXCEEDED',
];

const seen = new Set<string>();

/** Calls the API and validates the response against the spec's schema for its status. */
async function call(
  api: InProcessApi,
  method: string,
  template: string,
  params: Record<string, string> = {},
  options: RequestOptions & { query?: string } = {},
): Promise<ApiResponse> {
  const res = await api.request(
    method,
    fillPath(template, params) + (options.query ?? ''),
    options,
  );
  const where = `${method} ${template} → ${res.status} ${res.text.slice(0, 300)}`;
  // A method Neon lacks on a path it knows (405) can only be held to the error schema.
  const violation = spec.has(method, template)
    ? spec.check(method, template, res.status, res.body)
    : spec.checkSchema('GeneralError', res.body);
  expect(violation?.text, where).toBeUndefined();
  if (res.status !== 204)
    expect(res.headers.get('content-type'), where).toMatch(/^application\/json/);
  else expect(res.text, where).toBe('');
  if (res.status >= 400) {
    // Neon's error shape, with the request id clients quote in support tickets.
    expect(Object.keys(res.body).sort(), where).toEqual(['code', 'message', 'request_id']);
    // Neon's generic errors carry an empty code; its upper-case codes are 422s of their own cases.
    if (res.body.code !== '') {
      expect(res.status, where).toBe(422);
      expect(NEON_CODES, where).toContain(res.body.code);
    }
    expect(res.body.message.length, where).toBeGreaterThan(0);
    expect(res.body.request_id, where).toBe(res.headers.get('x-request-id'));
  }
  seen.add(`${method} ${template} ${res.status}`);
  seen.add(`status ${res.status}`);
  return res;
}

describe('the validator itself', () => {
  const role = {
    branch_id: 'br-aged-band-12345678',
    name: 'casey',
    protected: false,
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
  };
  const operation = {
    id: '6f2a7f1e-8a51-4a8a-9b8e-0f7c9d1f2a3b',
    project_id: 'aged-band-12345678',
    action: 'apply_config',
    status: 'finished',
    failures_count: 0,
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    total_duration_ms: 10,
  };

  it('accepts a valid body and rejects a missing required field or a wrong type', () => {
    expect(spec.check('POST', ROLES, 201, { role, operations: [operation] })).toBeUndefined();
    const { name: _name, ...nameless } = role;
    expect(
      spec.check('POST', ROLES, 201, { role: nameless, operations: [operation] })?.text,
    ).toMatch(/name/);
    expect(
      spec.check('POST', ROLES, 201, { role: { ...role, protected: 'no' }, operations: [] })?.text,
    ).toMatch(/boolean/);
    expect(spec.check('POST', ROLES, 201, { role })?.text).toMatch(/operations/);
  });

  it('checks enums, formats and patterns through $ref and allOf', () => {
    const op = (o: object) =>
      spec.check('GET', OPERATION, 200, { operation: { ...operation, ...o } });
    expect(op({})).toBeUndefined();
    expect(op({ status: 'done' })?.text).toMatch(/allowed values/);
    expect(op({ id: 'not-a-uuid' })?.text).toMatch(/uuid/);
    expect(op({ created_at: '2024-01-01 00:00' })?.text).toMatch(/date-time/);
    expect(op({ project_id: 'Upper Case' })?.text).toMatch(/pattern/);
    // GET /projects is an allOf of four schemas; the first one's requirements still apply.
    expect(
      spec.check('GET', PROJECTS, 200, { projects: [{}], applications: {}, integrations: {} })
        ?.text,
    ).toMatch(/required/);
  });

  it('handles OpenAPI 3.0 nullable and declared body-less statuses', () => {
    const key = {
      id: 1,
      name: 'k',
      created_at: '2024-01-01T00:00:00Z',
      created_by: { id: '6f2a7f1e-8a51-4a8a-9b8e-0f7c9d1f2a3b', name: 'n', image: '' },
      last_used_from_addr: '',
    };
    expect(spec.check('GET', '/api_keys', 200, [{ ...key, last_used_at: null }])).toBeUndefined();
    expect(spec.check('GET', '/api_keys', 200, [{ ...key, last_used_at: 5 }])?.text).toMatch(
      /string|null/,
    );
    expect(spec.check('DELETE', ROLE, 204, undefined)).toBeUndefined();
    expect(spec.check('DELETE', ROLE, 204, {})?.text).toMatch(/no body/);
  });
});

describe('spec paths', () => {
  it('server/local/spec-paths.ts matches the installed spec (regenerate with npm run gen:spec-paths)', () => {
    expect(NEON_SPEC_PATHS.map(([p, m]) => [p, [...m]])).toEqual(specPaths());
  }, 30_000);
});

describe('responses of the local server', () => {
  let api: InProcessApi;
  let projectId: string;
  let main: Body;
  let owner: string;

  beforeAll(async () => {
    api = inProcessApi();
    const list = await api.request('GET', '/projects');
    projectId = list.body.projects[0].id;
    const branches = await api.request('GET', fillPath(BRANCHES, { project_id: projectId }));
    main = branches.body.branches.find((b: Body) => b.default);
    const dbs = await api.request(
      'GET',
      fillPath(DATABASES, { project_id: projectId, branch_id: main.id }),
    );
    owner = dbs.body.databases.find((d: Body) => d.name === 'neondb').owner_name;
  });
  afterAll(() => api.close());

  const p = () => ({ project_id: projectId });
  const b = () => ({ project_id: projectId, branch_id: main.id });

  it('projects: list (plain, paged, searched), get, create with and without a body', async () => {
    const list = await call(api, 'GET', PROJECTS);
    expect(list.body.projects.map((x: Body) => x.id)).toContain(projectId);
    await call(api, 'GET', PROJECTS, {}, { query: '?limit=1&search=demo' });
    // Nothing is ever deleted here, so nothing is recoverable.
    const recoverable = await call(api, 'GET', PROJECTS, {}, { query: '?recoverable=true' });
    expect(recoverable.body.projects).toEqual([]);
    expect(
      (await call(api, 'GET', PROJECTS, {}, { query: '?recoverable=false' })).body.projects,
    ).toEqual(list.body.projects);
    expect((await call(api, 'GET', PROJECTS, {}, { query: '?recoverable=maybe' })).status).toBe(
      400,
    );
    expect((await call(api, 'GET', PROJECTS, {}, { query: '?timeout=100' })).body.projects).toEqual(
      list.body.projects,
    );
    expect((await call(api, 'GET', PROJECTS, {}, { query: '?timeout=5' })).status).toBe(400);
    const created = await call(
      api,
      'POST',
      PROJECTS,
      {},
      { body: { project: { name: 'contract' } } },
    );
    expect(created.status).toBe(201);
    expect(created.body.roles.some((r: Body) => typeof r.password === 'string')).toBe(true);
    expect((await call(api, 'POST', PROJECTS, {}, { body: {} })).status).toBe(201);
    const paged = await call(api, 'GET', PROJECTS, {}, { query: '?limit=1' });
    await call(
      api,
      'GET',
      PROJECTS,
      {},
      { query: `?limit=1&cursor=${paged.body.pagination.cursor}` },
    );
    expect((await call(api, 'GET', PROJECT, p())).body.project.id).toBe(projectId);
    // neonctl's `projects list` asks for these too; "shared" is not a project id.
    expect((await call(api, 'GET', '/projects/shared')).body.projects).toEqual([]);
  });

  it('branches: list (plain and paged), create (plain, with endpoint, at an LSN, at a time), get, delete', async () => {
    await call(api, 'GET', BRANCHES, p());
    await call(api, 'GET', BRANCHES, p(), { query: '?limit=1&sort_by=name&sort_order=asc' });
    const plain = await call(api, 'POST', BRANCHES, p());
    expect(plain.status).toBe(201);
    const withEndpoint = await call(api, 'POST', BRANCHES, p(), {
      body: {
        branch: { name: 'contract-ep', parent_id: main.id },
        endpoints: [{ type: 'read_write' }],
      },
    });
    expect(withEndpoint.body.endpoints).toHaveLength(1);
    const atLsn = await call(api, 'POST', BRANCHES, p(), {
      body: { branch: { parent_id: main.id, parent_lsn: plain.body.branch.parent_lsn } },
    });
    expect(atLsn.body.branch.parent_lsn).toBe(plain.body.branch.parent_lsn);
    await call(api, 'POST', BRANCHES, p(), {
      body: { branch: { parent_timestamp: new Date(Date.now() - 1000).toISOString() } },
    });
    await call(api, 'GET', BRANCH, { ...p(), branch_id: withEndpoint.body.branch.id });
    const deleted = await call(api, 'DELETE', BRANCH, {
      ...p(),
      branch_id: withEndpoint.body.branch.id,
    });
    expect(deleted.status).toBe(200);
    expect(
      (await call(api, 'DELETE', BRANCH, { ...p(), branch_id: withEndpoint.body.branch.id }))
        .status,
    ).toBe(204);
    expect(
      (await call(api, 'GET', '/projects/{project_id}/branches/count', p())).body.count,
    ).toBeGreaterThan(0);
  });

  it('roles: list, create, get, reset_password, reveal_password, delete, delete again', async () => {
    await call(api, 'GET', ROLES, b());
    const created = await call(api, 'POST', ROLES, b(), {
      body: { role: { name: 'contract_role' } },
    });
    expect(created.status).toBe(201);
    const r = { ...b(), role_name: 'contract_role' };
    await call(api, 'GET', ROLE, r);
    const reset = await call(api, 'POST', RESET, r);
    expect(reset.status).toBe(200);
    const reveal = await call(api, 'GET', REVEAL, r);
    expect(reveal.body.password).toBe(reset.body.role.password);
    expect((await call(api, 'DELETE', ROLE, r)).status).toBe(200);
    expect((await call(api, 'DELETE', ROLE, r)).status).toBe(204);
  });

  it('a no_login role: created without a password, reported as such, nothing to reveal or reset', async () => {
    const created = await call(api, 'POST', ROLES, b(), {
      body: { role: { name: 'contract_nologin', no_login: true } },
    });
    expect(created.status).toBe(201);
    expect(created.body.role).not.toHaveProperty('password');
    expect(created.body.role.authentication_method).toBe('no_login');
    const r = { ...b(), role_name: 'contract_nologin' };
    expect((await call(api, 'GET', ROLE, r)).body.role.authentication_method).toBe('no_login');
    const listed = (await call(api, 'GET', ROLES, b())).body.roles;
    const method = Object.fromEntries(listed.map((x: Body) => [x.name, x.authentication_method]));
    expect(method).toMatchObject({ contract_nologin: 'no_login', [owner]: 'password' });
    const reveal = await call(api, 'GET', REVEAL, r);
    expect([reveal.status, reveal.body]).toEqual([200, { password: '' }]);
    const reset = await call(api, 'POST', RESET, r);
    expect([reset.status, reset.body.code, reset.body.message]).toEqual([
      422,
      'ROLE_PASSWORD_NOT_AVAILABLE',
      'cannot update password for role without password',
    ]);
    expect((await call(api, 'DELETE', ROLE, r)).status).toBe(200);
  });

  it('databases: list, create, get, delete, delete again', async () => {
    await call(api, 'GET', DATABASES, b());
    const created = await call(api, 'POST', DATABASES, b(), {
      body: { database: { name: 'contract_db', owner_name: owner } },
    });
    expect(created.status).toBe(201);
    const d = { ...b(), database_name: 'contract_db' };
    await call(api, 'GET', DATABASE, d);
    expect((await call(api, 'DELETE', DATABASE, d)).status).toBe(200);
    expect((await call(api, 'DELETE', DATABASE, d)).status).toBe(204);
  });

  it('endpoints of the project and of a branch; operations list (paged) and get; users/me', async () => {
    expect((await call(api, 'GET', PROJECT_ENDPOINTS, p())).body.endpoints.length).toBeGreaterThan(
      0,
    );
    await call(api, 'GET', BRANCH_ENDPOINTS, b());
    const ops = await call(api, 'GET', OPERATIONS, p(), { query: '?limit=2' });
    await call(api, 'GET', OPERATIONS, p(), {
      query: `?limit=2&cursor=${ops.body.pagination.cursor}`,
    });
    await call(api, 'GET', OPERATION, { ...p(), operation_id: ops.body.operations[0].id });
    await call(api, 'GET', ME);
  });

  it('the key (auth), its organizations, one organization, and projects by org_id', async () => {
    const auth = await call(api, 'GET', AUTH);
    expect(auth.body).toEqual({
      account_id: (await call(api, 'GET', ME)).body.id,
      auth_method: 'api_key_user',
    });
    const orgs = (await call(api, 'GET', MY_ORGS)).body.organizations;
    expect(orgs).toHaveLength(1);
    const org = (await call(api, 'GET', ORG, { org_id: orgs[0].id })).body;
    expect(org).toEqual(orgs[0]);
    const listed = await call(api, 'GET', PROJECTS, {}, { query: `?org_id=${org.id}` });
    expect(listed.body.projects.map((x: Body) => x.org_id)).toContain(org.id);
    const created = await call(
      api,
      'POST',
      PROJECTS,
      {},
      { body: { project: { name: 'in the org', org_id: org.id } } },
    );
    expect(created.body.project.org_id).toBe(org.id);
    expect((await call(api, 'GET', ORG, { org_id: 'org-someone-else' })).status).toBe(404);
    expect(
      (await call(api, 'GET', PROJECTS, {}, { query: '?org_id=org-someone-else' })).status,
    ).toBe(404);
    expect(
      (await call(api, 'POST', PROJECTS, {}, { body: { project: { org_id: 'org-someone-else' } } }))
        .status,
    ).toBe(404);
    expect((await call(api, 'GET', PROJECTS, {}, { query: '?org_id=Not%20An%20Id' })).status).toBe(
      400,
    );
  });

  it('errors: 400, 401, 404, 405, 409, 412, 413, 415, 422, 501 in the GeneralError shape', async () => {
    expect((await call(api, 'POST', ROLES, b(), { body: '{"role": ' })).status).toBe(400);
    expect((await call(api, 'POST', ROLES, b(), { body: { role: { name: 'pg_x' } } })).status).toBe(
      400,
    );
    expect((await call(api, 'GET', PROJECTS, {}, { anonymous: true })).status).toBe(401);
    expect(
      (await call(api, 'GET', ME, {}, { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
    expect((await call(api, 'GET', PROJECT, { project_id: 'no-such-12345678' })).status).toBe(404);
    expect(
      (await call(api, 'GET', BRANCH, { ...p(), branch_id: 'br-no-such-00000000' })).status,
    ).toBe(404);
    expect((await call(api, 'GET', ROLE, { ...b(), role_name: 'nobody' })).status).toBe(404);
    expect((await call(api, 'GET', REVEAL, { ...b(), role_name: 'nobody' })).status).toBe(404);
    expect((await call(api, 'DELETE', DATABASE, { ...b(), database_name: 'nothing' })).status).toBe(
      404,
    );
    expect(
      (
        await call(api, 'GET', OPERATION, {
          ...p(),
          operation_id: '00000000-0000-4000-8000-000000000000',
        })
      ).status,
    ).toBe(404);
    expect((await call(api, 'PUT', ROLES, b(), { body: {} })).status).toBe(405);
    expect((await call(api, 'POST', ROLES, b(), { body: { role: { name: owner } } })).status).toBe(
      409,
    );
    expect(
      (await call(api, 'POST', ROLES, b(), { body: 'x'.repeat(1024 * 1024 + 1) })).status,
    ).toBe(413);
    expect(
      (
        await call(api, 'POST', ROLES, b(), {
          body: 'name=x',
          headers: { 'content-type': 'text/plain' },
        })
      ).status,
    ).toBe(415);
    expect((await call(api, 'DELETE', ROLE, { ...b(), role_name: 'web_access' })).status).toBe(422);
    expect((await call(api, 'DELETE', ROLE, { ...b(), role_name: owner })).status).toBe(422);
    expect((await call(api, 'DELETE', BRANCH, b())).status).toBe(422);
    expect(
      (await call(api, 'GET', '/projects/{project_id}/branches/{branch_id}/schema', b())).status,
    ).toBe(501);
    expect((await call(api, 'GET', '/api_keys')).status).toBe(501);

    const noPasswords = await api.request('POST', PROJECTS, {
      body: { project: { store_passwords: false } },
    });
    const np = noPasswords.body;
    const reveal = await call(api, 'GET', REVEAL, {
      project_id: np.project.id,
      branch_id: np.branch.id,
      role_name: np.roles.find((r: Body) => !r.protected).name,
    });
    expect(reveal.status).toBe(412);
  });
});

describe("Neon's limits", () => {
  it('422 ROLES_LIMIT_EXCEEDED, DATABASES_LIMIT_EXCEEDED and BRANCHES_LIMIT_EXCEEDED in the GeneralError shape', async () => {
    // Limits of 1 (the demo is seeded past them whatever the limits): every create is one too many.
    const api = inProcessApi({
      NEON_LOCAL_ROLES_PER_BRANCH: '1',
      NEON_LOCAL_DATABASES_PER_BRANCH: '1',
      NEON_LOCAL_BRANCHES_PER_PROJECT: '1',
    });
    try {
      const project = (await api.request('GET', '/projects')).body.projects[0].id;
      const main = (await api.request('GET', `/projects/${project}/branches`)).body.branches.find(
        (x: Body) => x.default,
      );
      const params = { project_id: project, branch_id: main.id };
      const refusals = [
        await call(api, 'POST', ROLES, params, { body: { role: { name: 'limited' } } }),
        await call(api, 'POST', DATABASES, params, {
          body: { database: { name: 'limited', owner_name: 'sally' } },
        }),
        await call(api, 'POST', BRANCHES, params, { body: { branch: { name: 'limited' } } }),
      ];
      expect(refusals.map((r) => [r.status, r.body.code])).toEqual([
        [422, 'ROLES_LIMIT_EXCEEDED'],
        [422, 'DATABASES_LIMIT_EXCEEDED'],
        [422, 'BRANCHES_LIMIT_EXCEEDED'],
      ]);
    } finally {
      api.close();
    }
  });
});

describe('responses while operations run and under rate limits', () => {
  it('operations in progress, and 423 for a conflicting mutation', async () => {
    const api = inProcessApi({ NEON_LOCAL_OPERATION_MS: '60000' });
    try {
      const project = (await api.request('GET', '/projects')).body.projects[0].id;
      const branch = (await api.request('GET', `/projects/${project}/branches`)).body.branches.find(
        (x: Body) => x.default,
      ).id;
      const params = { project_id: project, branch_id: branch };
      const created = await call(api, 'POST', ROLES, params, { body: { role: { name: 'slow' } } });
      expect(created.status).toBe(201);
      const op = created.body.operations[0];
      expect(['scheduling', 'running']).toContain(op.status);
      const got = await call(api, 'GET', OPERATION, { project_id: project, operation_id: op.id });
      expect(['scheduling', 'running']).toContain(got.body.operation.status);
      expect(
        (await call(api, 'POST', ROLES, params, { body: { role: { name: 'slower' } } })).status,
      ).toBe(423);
      expect((await call(api, 'POST', BRANCHES, { project_id: project })).status).toBe(423);
      expect((await call(api, 'DELETE', ROLE, { ...params, role_name: 'slow' })).status).toBe(423);
    } finally {
      api.close();
    }
  });

  it('429 over the per-second limit', async () => {
    const api = inProcessApi(
      { NEON_LOCAL_RATE_LIMIT_PER_SECOND: '2', NEON_LOCAL_RATE_LIMIT_PER_MINUTE: '100' },
      { rateLimitClock: () => 0 },
    );
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await call(api, 'GET', ME)).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      api.close();
    }
  });
});

describe('responses of an organization-only account (NEON_LOCAL_ORG_ONLY=1)', () => {
  it('projects without org_id: 400 org_id is required; with it: 200 and 201', async () => {
    const api = inProcessApi({ NEON_LOCAL_ORG_ONLY: '1' });
    try {
      const orgId = (await call(api, 'GET', MY_ORGS)).body.organizations[0].id;
      const refused = await call(api, 'GET', PROJECTS);
      expect(refused.status).toBe(400);
      expect(refused.body.message).toContain('org_id is required');
      const refusedCreate = await call(api, 'POST', PROJECTS, {}, { body: { project: {} } });
      expect(refusedCreate.status).toBe(400);
      expect(refusedCreate.body.message).toContain('org_id is required');
      expect((await call(api, 'GET', PROJECTS, {}, { query: `?org_id=${orgId}` })).status).toBe(
        200,
      );
      expect(
        (await call(api, 'POST', PROJECTS, {}, { body: { project: { org_id: orgId } } })).status,
      ).toBe(201);
    } finally {
      await api.close();
    }
  });
});

describe('coverage', () => {
  it('every implemented endpoint showed each of its success statuses, and every error status was seen', () => {
    const missing = IMPLEMENTED.flatMap(([m, t, statuses]) =>
      statuses.map((s) => `${m} ${t} ${s}`),
    ).filter((k) => !seen.has(k));
    expect(missing).toEqual([]);
    expect(ERROR_STATUSES.filter((s) => !seen.has(`status ${s}`))).toEqual([]);
  });
});
