// The rules of the local Neon API as a client observes them: branch copies, names, conflicts,
// protected and owning roles, operations and locks, auth, errors, and durability across restarts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  API_KEY,
  inProcessApi,
  type ApiResponse,
  type Body,
  type InProcessApi,
} from './support/api.ts';
import { specPaths } from './support/neon-spec.ts';

// In-process and fast, but other test files share the CPU: allow for a busy machine.
vi.setConfig({ testTimeout: 30_000 });

interface Demo {
  api: InProcessApi;
  projectId: string;
  main: string;
  dev: string;
}

async function demo(env: Record<string, string> = {}): Promise<Demo> {
  const api = inProcessApi(env);
  const projectId = (await api.request('GET', '/projects')).body.projects[0].id;
  const branches: Body[] = (await api.request('GET', `/projects/${projectId}/branches`)).body
    .branches;
  return {
    api,
    projectId,
    main: branches.find((b) => b.default).id,
    dev: branches.find((b) => b.name === 'dev').id,
  };
}

const enc = encodeURIComponent;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rolesPath(d: Demo, branch = d.main) {
  return `/projects/${d.projectId}/branches/${branch}/roles`;
}
function databasesPath(d: Demo, branch = d.main) {
  return `/projects/${d.projectId}/branches/${branch}/databases`;
}

async function roleNames(d: Demo, branch = d.main): Promise<string[]> {
  const res = await d.api.request('GET', rolesPath(d, branch));
  expect(res.status).toBe(200);
  return res.body.roles.map((r: Body) => r.name);
}

async function databaseNames(d: Demo, branch = d.main): Promise<string[]> {
  return (await d.api.request('GET', databasesPath(d, branch))).body.databases.map(
    (x: Body) => x.name,
  );
}

async function createRole(d: Demo, name: string, branch = d.main): Promise<ApiResponse> {
  return d.api.request('POST', rolesPath(d, branch), { body: { role: { name } } });
}

async function createBranch(
  d: Demo,
  branch: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Promise<Body> {
  const res = await d.api.request('POST', `/projects/${d.projectId}/branches`, {
    body: { branch, ...extra },
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

/** Neon's error shape, with the status and (optionally) words the message must carry. */
function expectError(res: ApiResponse, status: number, message?: RegExp) {
  expect(res.status, res.text).toBe(status);
  expect(Object.keys(res.body ?? {}).sort(), res.text).toEqual(['code', 'message', 'request_id']);
  expect(res.body.code).toEqual(expect.any(String));
  expect(res.body.request_id).toBe(res.headers.get('x-request-id'));
  if (message) expect(res.body.message).toMatch(message);
}

/** Everything a client could see of a project, to show a refused request changed nothing. */
async function snapshot(d: Demo): Promise<unknown> {
  const branches: Body[] = (await d.api.request('GET', `/projects/${d.projectId}/branches`)).body
    .branches;
  const perBranch = [];
  for (const b of branches) {
    perBranch.push({
      branch: b,
      roles: (await d.api.request('GET', rolesPath(d, b.id))).body.roles,
      databases: (await d.api.request('GET', databasesPath(d, b.id))).body.databases,
      endpoints: (await d.api.request('GET', `/projects/${d.projectId}/branches/${b.id}/endpoints`))
        .body.endpoints,
    });
  }
  const operations = (await d.api.request('GET', `/projects/${d.projectId}/operations?limit=1000`))
    .body.operations;
  const projects = (await d.api.request('GET', '/projects?limit=400')).body.projects;
  return { perBranch, operations, projects };
}

/** Compares LSNs written as X/XXXXXXXX. */
function lsnValue(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

describe('branches copy roles and databases', () => {
  let d: Demo;
  beforeAll(async () => {
    d = await demo();
  });
  afterAll(() => d.api.close());

  it('a child copies the parent as it is now: roles with the same passwords, and databases', async () => {
    const created = await createRole(d, 'copied');
    const child = await createBranch(d, { name: 'copy-now', parent_id: d.main });
    expect(child.branch.parent_id).toBe(d.main);
    expect((await roleNames(d, child.branch.id)).sort()).toEqual((await roleNames(d)).sort());
    expect((await databaseNames(d, child.branch.id)).sort()).toEqual(
      (await databaseNames(d)).sort(),
    );
    expect(child.roles.map((r: Body) => r.name)).toContain('copied');
    const revealed = await d.api.request(
      'GET',
      `${rolesPath(d, child.branch.id)}/copied/reveal_password`,
    );
    expect(revealed.body.password).toBe(created.body.role.password);
    // The copy is independent afterwards.
    expect((await d.api.request('DELETE', `${rolesPath(d, child.branch.id)}/copied`)).status).toBe(
      200,
    );
    expect(await roleNames(d)).toContain('copied');
  });

  it('the demo branch dev was made before thomas existed on main', async () => {
    expect(await roleNames(d)).toContain('thomas');
    expect(await roleNames(d, d.dev)).not.toContain('thomas');
    expect(await roleNames(d, d.dev)).toContain('sally');
  });

  it('parent_timestamp copies only what existed at that time, including what was deleted since', async () => {
    expect((await createRole(d, 'before_t')).status).toBe(201);
    expect((await createRole(d, 'deleted_after_t')).status).toBe(201);
    await sleep(15);
    const t = new Date().toISOString();
    await sleep(15);
    expect((await createRole(d, 'after_t')).status).toBe(201);
    expect((await d.api.request('DELETE', `${rolesPath(d)}/deleted_after_t`)).status).toBe(200);
    expect(
      (
        await d.api.request('POST', databasesPath(d), {
          body: { database: { name: 'db_after_t', owner_name: 'before_t' } },
        })
      ).status,
    ).toBe(201);

    const child = await createBranch(d, {
      name: 'at-time',
      parent_id: d.main,
      parent_timestamp: t,
    });
    const names = await roleNames(d, child.branch.id);
    expect(names).toEqual(expect.arrayContaining(['before_t', 'deleted_after_t']));
    expect(names).not.toContain('after_t');
    expect(await databaseNames(d, child.branch.id)).not.toContain('db_after_t');
    expect(await databaseNames(d)).toContain('db_after_t');
    expect(Date.parse(child.branch.parent_timestamp)).toBeLessThanOrEqual(Date.parse(t));
  });

  it("parent_lsn copies only what existed at that LSN; a branch's parent_lsn is the parent's head when it was made", async () => {
    expect((await createRole(d, 'before_lsn')).status).toBe(201);
    const first = await createBranch(d, { name: 'marks-lsn', parent_id: d.main });
    const lsn: string = first.branch.parent_lsn;
    // As Neon and Postgres print them: upper-case hex halves without leading zeros (0/1DE2850).
    expect(lsn).toMatch(/^(0|[1-9A-F][0-9A-F]{0,7})\/(0|[1-9A-F][0-9A-F]{0,7})$/);
    expect((await createRole(d, 'after_lsn')).status).toBe(201);

    const atLsn = await createBranch(d, { name: 'at-lsn', parent_id: d.main, parent_lsn: lsn });
    expect(atLsn.branch.parent_lsn).toBe(lsn);
    expect((await roleNames(d, atLsn.branch.id)).sort()).toEqual(
      (await roleNames(d, first.branch.id)).sort(),
    );
    expect(await roleNames(d, atLsn.branch.id)).toContain('before_lsn');
    expect(await roleNames(d, atLsn.branch.id)).not.toContain('after_lsn');

    // Writes move the head forward: a branch made now starts later and sees the new role.
    const now = await createBranch(d, { name: 'after-lsn', parent_id: d.main });
    expect(lsnValue(now.branch.parent_lsn)).toBeGreaterThan(lsnValue(lsn));
    expect(await roleNames(d, now.branch.id)).toContain('after_lsn');
  });

  it('refuses points outside the parent history, and both kinds of point at once', async () => {
    const before = await snapshot(d);
    const branches = `/projects/${d.projectId}/branches`;
    const post = (branch: object) =>
      d.api.request('POST', branches, { body: { branch: { parent_id: d.main, ...branch } } });
    expectError(await post({ parent_lsn: 'FFFFFFFF/FFFFFFFF' }), 400, /parent_lsn/);
    expectError(await post({ parent_lsn: '0/0' }), 400, /parent_lsn/);
    expectError(await post({ parent_lsn: 'not-an-lsn' }), 400, /parent_lsn/);
    expectError(
      await post({ parent_timestamp: new Date(Date.now() + 3_600_000).toISOString() }),
      400,
      /future/,
    );
    expectError(await post({ parent_timestamp: '2000-01-01T00:00:00Z' }), 400, /parent_timestamp/);
    expectError(await post({ parent_timestamp: 'yesterday' }), 400, /parent_timestamp/);
    expectError(await post({ parent_lsn: '0/1', parent_timestamp: new Date().toISOString() }), 400);
    expect(await snapshot(d)).toEqual(before);
  });

  it('the default branch and a branch with children cannot be deleted (422); deleting twice answers 204', async () => {
    const branch = (id: string) => `/projects/${d.projectId}/branches/${id}`;
    expectError(await d.api.request('DELETE', branch(d.main)), 422, /default/);
    const parent = await createBranch(d, { name: 'parent' });
    const child = await createBranch(d, { name: 'child', parent_id: parent.branch.id });
    expectError(await d.api.request('DELETE', branch(parent.branch.id)), 422, /child/);
    const deleted = await d.api.request('DELETE', branch(child.branch.id));
    expect(deleted.status).toBe(200);
    expect(deleted.body.operations.map((o: Body) => o.action)).toContain('delete_timeline');
    expect((await d.api.request('GET', branch(child.branch.id))).status).toBe(404);
    const again = await d.api.request('DELETE', branch(child.branch.id));
    expect(again.status).toBe(204);
    expect(again.text).toBe('');
    expect((await d.api.request('DELETE', branch(parent.branch.id))).status).toBe(200);
    expectError(await d.api.request('DELETE', branch('br-never-existed-12345678')), 404);
  });
});

describe('role names', () => {
  let d: Demo;
  beforeAll(async () => {
    d = await demo();
  });
  afterAll(() => d.api.close());

  // The limit is 63 bytes of UTF-8, whatever the width of the characters.
  const names: [string, string, string][] = [
    ['1-byte', 'a'.repeat(63), 'a'.repeat(64)],
    ['2-byte', 'é'.repeat(31) + 'a', 'é'.repeat(32)],
    ['3-byte', '€'.repeat(21), '€'.repeat(21) + 'a'],
    ['4-byte', '😀'.repeat(15) + 'aaa', '😀'.repeat(16)],
  ];

  it.each(names)('%s characters: 63 bytes are accepted, 64 refused', async (_kind, ok, tooLong) => {
    expect(Buffer.byteLength(ok)).toBe(63);
    expect(Buffer.byteLength(tooLong)).toBe(64);
    const created = await createRole(d, ok);
    expect(created.status, created.text).toBe(201);
    expect(created.body.role.name).toBe(ok);
    expect((await d.api.request('GET', `${rolesPath(d)}/${enc(ok)}`)).body.role.name).toBe(ok);
    expectError(await createRole(d, tooLong), 400, /64 bytes/);
    expect(await roleNames(d)).not.toContain(tooLong);
  });

  it.each(['a b', 'sally/x', 'ünï', '"q"', '100%', 'x?y#z'])(
    '%j works through percent-encoded paths',
    async (name) => {
      const created = await createRole(d, name);
      expect(created.status, created.text).toBe(201);
      const role = `${rolesPath(d)}/${enc(name)}`;
      expect((await d.api.request('GET', role)).body.role.name).toBe(name);
      const reset = await d.api.request('POST', `${role}/reset_password`);
      expect(reset.status).toBe(200);
      expect((await d.api.request('GET', `${role}/reveal_password`)).body.password).toBe(
        reset.body.role.password,
      );
      expect(await roleNames(d)).toContain(name);
      expect((await d.api.request('DELETE', role)).status).toBe(200);
      expect(await roleNames(d)).not.toContain(name);
    },
  );

  it('a duplicate on the same branch is 409; the same name on another branch is 201', async () => {
    expectError(await createRole(d, 'sally'), 409, /sally/);
    expect(await roleNames(d, d.dev)).not.toContain('thomas');
    expectError(await createRole(d, 'thomas'), 409);
    expect((await createRole(d, 'thomas', d.dev)).status).toBe(201);
    // Deleted names can be used again.
    expect((await d.api.request('DELETE', `${rolesPath(d)}/casey`)).status).toBe(200);
    expect((await createRole(d, 'casey')).status).toBe(201);
  });

  it('list and get never carry a password; create and reset do, fresh each time', async () => {
    const a = await createRole(d, 'pw_a');
    const b = await createRole(d, 'pw_b');
    expect(a.body.role.password).toMatch(/^[A-Za-z0-9]{12,}$/);
    expect(b.body.role.password).not.toBe(a.body.role.password);
    const list = await d.api.request('GET', rolesPath(d));
    expect(list.body.roles.every((r: Body) => !('password' in r))).toBe(true);
    expect('password' in (await d.api.request('GET', `${rolesPath(d)}/pw_a`)).body.role).toBe(
      false,
    );
    const reset = await d.api.request('POST', `${rolesPath(d)}/pw_a/reset_password`);
    expect(reset.body.role.password).toMatch(/^[A-Za-z0-9]{12,}$/);
    expect(reset.body.role.password).not.toBe(a.body.role.password);
    expect(reset.headers.get('cache-control')).toBe('no-store');
  });
});

describe('protected and owning roles', () => {
  let d: Demo;
  beforeAll(async () => {
    d = await demo();
  });
  afterAll(() => d.api.close());

  it('web_access is protected: no delete, no reset (422), and it stays', async () => {
    const before = await snapshot(d);
    expectError(await d.api.request('DELETE', `${rolesPath(d)}/web_access`), 422, /protected/);
    expectError(
      await d.api.request('POST', `${rolesPath(d)}/web_access/reset_password`),
      422,
      /protected/,
    );
    expect(await snapshot(d)).toEqual(before);
  });

  it('a no_login role: its reset is refused (422 ROLE_PASSWORD_NOT_AVAILABLE) and changes nothing; a child branch keeps it passwordless', async () => {
    const created = await d.api.request('POST', rolesPath(d), {
      body: { role: { name: 'ghost', no_login: true } },
    });
    expect(created.status).toBe(201);
    const before = await snapshot(d);
    const reset = await d.api.request('POST', `${rolesPath(d)}/ghost/reset_password`);
    expectError(reset, 422, /^cannot update password for role without password$/);
    expect(reset.body.code).toBe('ROLE_PASSWORD_NOT_AVAILABLE');
    expect(await snapshot(d)).toEqual(before);
    const child = await createBranch(d, { name: 'ghost-copy', parent_id: d.main });
    const copy = child.roles.find((r: Body) => r.name === 'ghost');
    expect(copy.authentication_method).toBe('no_login');
    expect(
      (await d.api.request('GET', `${rolesPath(d, child.branch.id)}/ghost/reveal_password`)).body,
    ).toEqual({ password: '' });
    expectError(
      await d.api.request(
        'GET',
        `/projects/${d.projectId}/connection_uri?database_name=neondb&role_name=ghost`,
      ),
      400,
      /"ghost" cannot log in \(no_login\)/,
    );
  });

  it('a role that owns databases cannot be deleted (422); the message names them', async () => {
    expectError(await d.api.request('DELETE', `${rolesPath(d)}/reporting`), 422, /"analytics"/);
    expect(
      (
        await d.api.request('POST', databasesPath(d), {
          body: { database: { name: 'second_db', owner_name: 'reporting' } },
        })
      ).status,
    ).toBe(201);
    const res = await d.api.request('DELETE', `${rolesPath(d)}/reporting`);
    expectError(res, 422);
    expect(res.body.message).toMatch(/"analytics"/);
    expect(res.body.message).toMatch(/"second_db"/);
    expect(await roleNames(d)).toContain('reporting');
    // Once its databases are gone, it can go.
    for (const db of ['analytics', 'second_db']) {
      expect((await d.api.request('DELETE', `${databasesPath(d)}/${db}`)).status).toBe(200);
    }
    expect((await d.api.request('DELETE', `${rolesPath(d)}/reporting`)).status).toBe(200);
  });

  it('a database needs an existing owner; duplicates are 409', async () => {
    const post = (database: object) =>
      d.api.request('POST', databasesPath(d), { body: { database } });
    expectError(await post({ name: 'orphan', owner_name: 'nobody' }), 400, /nobody/);
    expectError(await post({ name: 'neondb', owner_name: 'sally' }), 409, /neondb/);
    expect(await databaseNames(d)).not.toContain('orphan');
  });

  it('deleting a role or database twice answers 204; one that never existed 404', async () => {
    expect((await createRole(d, 'twice')).status).toBe(201);
    expect((await d.api.request('DELETE', `${rolesPath(d)}/twice`)).status).toBe(200);
    const again = await d.api.request('DELETE', `${rolesPath(d)}/twice`);
    expect(again.status).toBe(204);
    expect(again.text).toBe('');
    expectError(await d.api.request('DELETE', `${rolesPath(d)}/never_was`), 404);
    expect(
      (
        await d.api.request('POST', databasesPath(d), {
          body: { database: { name: 'twice_db', owner_name: 'sally' } },
        })
      ).status,
    ).toBe(201);
    expect((await d.api.request('DELETE', `${databasesPath(d)}/twice_db`)).status).toBe(200);
    expect((await d.api.request('DELETE', `${databasesPath(d)}/twice_db`)).status).toBe(204);
    expectError(await d.api.request('DELETE', `${databasesPath(d)}/never_was`), 404);
  });
});

describe("limits: Neon's by default, each a setting", () => {
  it('500 roles per branch (web_access included), then 422 ROLES_LIMIT_EXCEEDED; a delete frees a place', async () => {
    const d = await demo();
    try {
      const seeded = (await roleNames(d)).length;
      for (let i = seeded; i < 500; i++)
        expect((await createRole(d, `filler_${i}`)).status).toBe(201);
      expect(await roleNames(d)).toHaveLength(500);
      const before = await snapshot(d);
      const refused = await createRole(d, 'one_too_many');
      expectError(refused, 422, /^branch roles limit of 500 exceeded, got 500$/);
      expect(refused.body.code).toBe('ROLES_LIMIT_EXCEEDED');
      expect(await snapshot(d)).toEqual(before);
      // A no_login role counts the same; other branches have their own 500.
      expect(
        (
          await d.api.request('POST', rolesPath(d), {
            body: { role: { name: 'ghost', no_login: true } },
          })
        ).status,
      ).toBe(422);
      expect((await createRole(d, 'one_too_many', d.dev)).status).toBe(201);
      expect((await d.api.request('DELETE', `${rolesPath(d)}/filler_${seeded}`)).status).toBe(200);
      expect((await createRole(d, 'one_too_many')).status).toBe(201);
    } finally {
      d.api.close();
    }
  });

  it('10 branches per project (the default branch included), then 422 BRANCHES_LIMIT_EXCEEDED', async () => {
    const d = await demo();
    try {
      const path = `/projects/${d.projectId}/branches`;
      const existing = (await d.api.request('GET', path)).body.branches.length;
      for (let i = existing; i < 10; i++) await createBranch(d, { name: `b-${i}` });
      const before = await snapshot(d);
      const refused = await d.api.request('POST', path, { body: { branch: { name: 'b-10' } } });
      expectError(refused, 422, /^project branches limit of 10 exceeded, got 10$/);
      expect(refused.body.code).toBe('BRANCHES_LIMIT_EXCEEDED');
      expect(await snapshot(d)).toEqual(before);
      // The account and each project's owner report the limit the server enforces.
      expect((await d.api.request('GET', '/users/me')).body.branches_limit).toBe(10);
      expect(
        (await d.api.request('GET', `/projects/${d.projectId}`)).body.project.owner.branches_limit,
      ).toBe(10);
    } finally {
      d.api.close();
    }
  });

  it('the settings move each limit, and 0 lifts it', async () => {
    const d = await demo({
      NEON_LOCAL_ROLES_PER_BRANCH: '0',
      NEON_LOCAL_DATABASES_PER_BRANCH: '3',
      NEON_LOCAL_BRANCHES_PER_PROJECT: '12',
    });
    try {
      for (let i = 0; i < 510; i++) expect((await createRole(d, `many_${i}`)).status).toBe(201);
      const database = (name: string) =>
        d.api.request('POST', databasesPath(d), {
          body: { database: { name, owner_name: 'sally' } },
        });
      // main holds neondb and analytics.
      expect((await database('third')).status).toBe(201);
      const refused = await database('fourth');
      expectError(refused, 422, /^branch databases limit of 3 exceeded, got 3$/);
      expect(refused.body.code).toBe('DATABASES_LIMIT_EXCEEDED');
      expect(await databaseNames(d)).not.toContain('fourth');
      // A name already there is still a conflict, not a limit.
      expectError(await database('third'), 409);
      for (let i = 2; i < 12; i++) await createBranch(d, { name: `b-${i}` });
      expectError(
        await d.api.request('POST', `/projects/${d.projectId}/branches`, { body: {} }),
        422,
        /limit of 12 exceeded/,
      );
      expect((await d.api.request('GET', '/users/me')).body.branches_limit).toBe(12);
    } finally {
      d.api.close();
    }
  });

  it('a setting that is not a whole number stops the server from starting', () => {
    expect(() => inProcessApi({ NEON_LOCAL_ROLES_PER_BRANCH: 'lots' })).toThrow(
      /NEON_LOCAL_ROLES_PER_BRANCH must be a whole number/,
    );
  });
});

describe('operations', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('go scheduling → running → finished over NEON_LOCAL_OPERATION_MS', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.parse('2030-01-01T00:00:00Z');
    vi.setSystemTime(t0);
    const d = await demo({ NEON_LOCAL_OPERATION_MS: '1000' });
    try {
      const created = await createRole(d, 'timed');
      const [op] = created.body.operations;
      expect(op.action).toBe('apply_config');
      expect(op.branch_id).toBe(d.main);
      const endpoints = (
        await d.api.request('GET', `/projects/${d.projectId}/branches/${d.main}/endpoints`)
      ).body.endpoints;
      expect(op.endpoint_id).toBe(endpoints.find((e: Body) => e.type === 'read_write').id);
      const status = async () =>
        (await d.api.request('GET', `/projects/${d.projectId}/operations/${op.id}`)).body.operation
          .status;
      const seen = [op.status];
      for (const ms of [10, 200, 600, 999, 1000, 5000]) {
        vi.setSystemTime(t0 + ms);
        seen.push(await status());
      }
      expect(seen).toEqual([
        'scheduling',
        'scheduling',
        'running',
        'running',
        'running',
        'finished',
        'finished',
      ]);
      const listed = (await d.api.request('GET', `/projects/${d.projectId}/operations`)).body
        .operations;
      expect(listed[0]).toMatchObject({ id: op.id, status: 'finished', total_duration_ms: 1000 });
    } finally {
      d.api.close();
    }
  });

  it('a branch create starts create_branch then start_compute for its endpoint', async () => {
    const d = await demo();
    try {
      const child = await createBranch(d, { name: 'ops' }, { endpoints: [{ type: 'read_write' }] });
      expect(child.operations.map((o: Body) => o.action)).toEqual([
        'create_branch',
        'start_compute',
      ]);
      expect(child.operations[1].endpoint_id).toBe(child.endpoints[0].id);
      const ids = (
        await d.api.request('GET', `/projects/${d.projectId}/operations`)
      ).body.operations.map((o: Body) => o.id);
      expect(ids).toEqual(expect.arrayContaining(child.operations.map((o: Body) => o.id)));
    } finally {
      d.api.close();
    }
  });

  it('423 while an operation runs (reads still work), success after it finishes', async () => {
    // A frozen clock, so that a slow machine cannot let the operation finish between requests.
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.parse('2030-02-01T00:00:00Z');
    vi.setSystemTime(t0);
    const d = await demo({ NEON_LOCAL_OPERATION_MS: '300' });
    try {
      const first = await createRole(d, 'first');
      expect(first.status).toBe(201);
      const locked = await createRole(d, 'second');
      expectError(locked, 423, /conflicting operations/);
      expectError(await d.api.request('POST', `${rolesPath(d)}/sally/reset_password`), 423);
      expectError(await d.api.request('DELETE', `${rolesPath(d)}/sally`), 423);
      expectError(await d.api.request('POST', `/projects/${d.projectId}/branches`), 423);
      expect(await roleNames(d)).not.toContain('second');
      expect((await d.api.request('GET', `${rolesPath(d)}/sally`)).status).toBe(200);

      const op = () =>
        d.api.request('GET', `/projects/${d.projectId}/operations/${first.body.operations[0].id}`);
      vi.setSystemTime(t0 + 299);
      expect((await op()).body.operation.status).toBe('running');
      expectError(await createRole(d, 'second'), 423);
      vi.setSystemTime(t0 + 300);
      expect((await op()).body.operation.status).toBe('finished');
      expect((await createRole(d, 'second')).status).toBe(201);
    } finally {
      d.api.close();
    }
  });
});

describe('auth', () => {
  let d: Demo;
  beforeAll(async () => {
    d = await demo();
  });
  afterAll(() => d.api.close());

  it('401 without a key or with a wrong one, on every kind of path', async () => {
    for (const p of ['/projects', rolesPath(d), '/users/me', '/api_keys', '/no/such/path']) {
      expectError(await d.api.request('GET', p, { anonymous: true }), 401);
      expectError(
        await d.api.request('GET', p, { headers: { authorization: 'Bearer wrong-key' } }),
        401,
        /not valid/,
      );
    }
    expectError(
      await d.api.request('GET', '/projects', { headers: { authorization: `Basic ${API_KEY}` } }),
      401,
    );
    expectError(
      await d.api.request('GET', '/projects', { headers: { authorization: `Bearer ${API_KEY}x` } }),
      401,
    );
    expectError(
      await d.api.request('GET', '/projects', {
        anonymous: true,
        headers: { cookie: 'zenith=wrong' },
      }),
      401,
    );
    // A refused write changes nothing.
    expectError(
      await d.api.request('POST', rolesPath(d), {
        anonymous: true,
        body: { role: { name: 'intruder' } },
      }),
      401,
    );
    expect(await roleNames(d)).not.toContain('intruder');
  });

  it('a key accepted once lets no other value through (the server remembers what passed)', async () => {
    const me = (headers: Record<string, string>) =>
      d.api.request('GET', '/users/me', { anonymous: true, headers });
    for (let round = 0; round < 2; round++) {
      expect((await me({ authorization: `Bearer ${API_KEY}` })).status).toBe(200);
      expectError(await me({ authorization: `Bearer ${API_KEY}x` }), 401);
      expectError(await me({ authorization: `Bearer ${API_KEY.slice(0, -1)}` }), 401);
      expect((await me({ cookie: `zenith=${API_KEY}` })).status).toBe(200);
      expectError(await me({ cookie: `zenith=${API_KEY}x` }), 401);
      expectError(await me({ cookie: `zenith=${API_KEY.slice(1)}` }), 401);
    }
  });

  it("accepts the key as Bearer, or in Neon's cookies zenith and keycloak_token", async () => {
    expect(
      (await d.api.request('GET', '/users/me', { headers: { authorization: `bearer ${API_KEY}` } }))
        .status,
    ).toBe(200);
    for (const cookie of [
      `zenith=${API_KEY}`,
      `keycloak_token=${API_KEY}`,
      `other=1; keycloak_token=${API_KEY}`,
    ]) {
      expect(
        (await d.api.request('GET', '/users/me', { anonymous: true, headers: { cookie } })).status,
        cookie,
      ).toBe(200);
    }
  });
});

describe('paths, methods and request ids', () => {
  let d: Demo;
  beforeAll(async () => {
    d = await demo();
  });
  afterAll(() => d.api.close());

  it('404 for unknown project, branch, role, database, operation, a branch of another project, and a path outside the spec', async () => {
    const other = (
      await d.api.request('POST', '/projects', { body: { project: { name: 'other' } } })
    ).body;
    const notFound = [
      '/projects/no-such-12345678',
      '/projects/no-such-12345678/branches',
      `/projects/${d.projectId}/branches/br-no-such-00000000`,
      `/projects/${d.projectId}/branches/${other.branch.id}`,
      `/projects/${other.project.id}/branches/${d.main}/roles`,
      `${rolesPath(d)}/nobody`,
      `${rolesPath(d)}/nobody/reveal_password`,
      `${databasesPath(d)}/nothing`,
      `/projects/${d.projectId}/operations/00000000-0000-4000-8000-000000000000`,
      `/projects/${d.projectId}/operations/${other.operations[0].id}`,
      '/no/such/path',
    ];
    for (const p of notFound) expectError(await d.api.request('GET', p), 404);
    expectError(await d.api.request('POST', `${rolesPath(d)}/nobody/reset_password`), 404);
  });

  it("every path and method of Neon's spec that is not implemented answers 501, never a 404", async () => {
    const implemented = new Set([
      'GET /projects',
      'POST /projects',
      'GET /projects/shared',
      'GET /projects/{project_id}',
      'GET /projects/{project_id}/branches',
      'POST /projects/{project_id}/branches',
      'GET /projects/{project_id}/branches/count',
      'GET /projects/{project_id}/branches/{branch_id}',
      'DELETE /projects/{project_id}/branches/{branch_id}',
      'GET /projects/{project_id}/branches/{branch_id}/roles',
      'POST /projects/{project_id}/branches/{branch_id}/roles',
      'GET /projects/{project_id}/branches/{branch_id}/roles/{role_name}',
      'DELETE /projects/{project_id}/branches/{branch_id}/roles/{role_name}',
      'POST /projects/{project_id}/branches/{branch_id}/roles/{role_name}/reset_password',
      'GET /projects/{project_id}/branches/{branch_id}/roles/{role_name}/reveal_password',
      'GET /projects/{project_id}/branches/{branch_id}/databases',
      'POST /projects/{project_id}/branches/{branch_id}/databases',
      'GET /projects/{project_id}/branches/{branch_id}/databases/{database_name}',
      'DELETE /projects/{project_id}/branches/{branch_id}/databases/{database_name}',
      'GET /projects/{project_id}/endpoints',
      'GET /projects/{project_id}/branches/{branch_id}/endpoints',
      'GET /projects/{project_id}/endpoints/{endpoint_id}',
      'POST /projects/{project_id}/endpoints/{endpoint_id}/start',
      'POST /projects/{project_id}/endpoints/{endpoint_id}/suspend',
      'POST /projects/{project_id}/endpoints/{endpoint_id}/restart',
      'GET /projects/{project_id}/connection_uri',
      'GET /projects/{project_id}/operations',
      'GET /projects/{project_id}/operations/{operation_id}',
      'GET /users/me',
      'GET /auth',
      'GET /users/me/organizations',
      'GET /organizations/{org_id}',
    ]);
    const wrong: string[] = [];
    let checked = 0;
    for (const [template, methods] of specPaths()) {
      // Real ids where the path names them, so a 404 cannot come from a missing project or branch.
      const url = template
        .replace('{project_id}', d.projectId)
        .replace('{branch_id}', d.main)
        .replace(/\{[^}]+\}/g, 'x');
      for (const method of methods) {
        if (implemented.has(`${method} ${template}`)) continue;
        checked++;
        const res = await d.api.request(
          method,
          url,
          method === 'GET' || method === 'DELETE' ? {} : { body: {} },
        );
        if (res.status !== 501 || res.body?.code === undefined)
          wrong.push(`${method} ${template} → ${res.status}`);
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(wrong.join('\n')).toBe('');
  }, 30_000);

  it('branches/count counts what the list shows, with the same search', async () => {
    const list = (await d.api.request('GET', `/projects/${d.projectId}/branches`)).body.branches;
    expect((await d.api.request('GET', `/projects/${d.projectId}/branches/count`)).body).toEqual({
      count: list.length,
    });
    // Search matches names and ids, and ids are random: compare with the list's own answer.
    const found = (await d.api.request('GET', `/projects/${d.projectId}/branches?search=DEV`)).body
      .branches;
    expect(found.map((b: { name: string }) => b.name)).toContain('dev');
    expect(
      (await d.api.request('GET', `/projects/${d.projectId}/branches/count?search=DEV`)).body,
    ).toEqual({ count: found.length });
    expectError(await d.api.request('GET', '/projects/no-such-12345678/branches/count'), 404);
  });

  it('paging through projects, branches and operations returns each exactly once', async () => {
    for (let i = 0; i < 3; i++)
      expect(
        (await d.api.request('POST', '/projects', { body: { project: { name: `page-${i}` } } }))
          .status,
      ).toBe(201);
    for (let i = 0; i < 4; i++) await createBranch(d, { name: `page-${i}` });

    const all = async (url: string, key: string, next: (body: Body) => string | undefined) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const res = await d.api.request('GET', `${url}${cursor ? `&cursor=${enc(cursor)}` : ''}`);
        expect(res.status, res.text).toBe(200);
        ids.push(...res.body[key].map((x: Body) => x.id));
        cursor = res.body[key].length ? next(res.body) : undefined;
        if (!cursor) return ids;
      }
      throw new Error(`${url} never ends`);
    };
    const whole = async (url: string, key: string) =>
      (await d.api.request('GET', url)).body[key].map((x: Body) => x.id).sort();

    const projects = await all('/projects?limit=2', 'projects', (b) => b.pagination?.cursor);
    expect([...projects].sort()).toEqual(await whole('/projects?limit=400', 'projects'));
    const branches = await all(
      `/projects/${d.projectId}/branches?limit=2`,
      'branches',
      (b) => b.pagination?.next,
    );
    expect([...branches].sort()).toEqual(
      await whole(`/projects/${d.projectId}/branches`, 'branches'),
    );
    const operations = await all(
      `/projects/${d.projectId}/operations?limit=3`,
      'operations',
      (b) => b.pagination?.cursor,
    );
    expect([...operations].sort()).toEqual(
      await whole(`/projects/${d.projectId}/operations?limit=1000`, 'operations'),
    );
    expect(operations.length).toBeGreaterThan(3);
  });

  it('accepts JSON with a charset, and ignores unknown fields', async () => {
    const res = await d.api.request('POST', rolesPath(d), {
      body: JSON.stringify({ role: { name: 'charset' }, unknown: 1 }),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.status, res.text).toBe(201);
  });

  it('405 with Allow for a method Neon lacks on a known path', async () => {
    const res = await d.api.request('PUT', rolesPath(d), { body: {} });
    expectError(res, 405);
    expect(res.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'POST']);
  });

  it('echoes X-Request-ID in request_id and the header; generates one otherwise', async () => {
    const ok = await d.api.request('GET', '/users/me', {
      headers: { 'x-request-id': 'trace-123' },
    });
    expect(ok.headers.get('x-request-id')).toBe('trace-123');
    const err = await d.api.request('GET', `${rolesPath(d)}/nobody`, {
      headers: { 'x-request-id': 'trace-456' },
    });
    expect(err.body.request_id).toBe('trace-456');
    const a = await d.api.request('GET', `${rolesPath(d)}/nobody`);
    const b = await d.api.request('GET', `${rolesPath(d)}/nobody`);
    expect(a.body.request_id).toMatch(/\S{8,}/);
    expect(a.body.request_id).not.toBe(b.body.request_id);
  });
});

describe("bad input answers a clear 4xx in Neon's shape and changes nothing", () => {
  let d: Demo;
  let before: unknown;
  beforeAll(async () => {
    d = await demo({ NEON_LOCAL_MAX_BODY_BYTES: '4096' });
    before = await snapshot(d);
  });
  afterAll(() => d.api.close());

  const json = (body: unknown) => ({ body });
  const cases: [
    string,
    string,
    () => string,
    { body?: unknown; headers?: Record<string, string> },
    number,
    RegExp?,
  ][] = [
    ['malformed JSON', 'POST', () => rolesPath(d), json('{"role": {"name": "x"'), 400, /JSON/],
    [
      'a name of the wrong type',
      'POST',
      () => rolesPath(d),
      json({ role: { name: 5 } }),
      400,
      /name/,
    ],
    ['role of the wrong type', 'POST', () => rolesPath(d), json({ role: 'x' }), 400, /role/],
    ['a JSON array', 'POST', () => rolesPath(d), json([{ role: { name: 'x' } }]), 400],
    ['JSON null', 'POST', () => rolesPath(d), json('null'), 400],
    ['missing role', 'POST', () => rolesPath(d), json({ name: 'x' }), 400, /role/],
    ['missing name', 'POST', () => rolesPath(d), json({ role: {} }), 400, /name/],
    ['an empty body', 'POST', () => rolesPath(d), {}, 415],
    [
      'an oversized body',
      'POST',
      () => rolesPath(d),
      json({ role: { name: 'x' }, pad: 'x'.repeat(5000) }),
      413,
    ],
    [
      'a form body',
      'POST',
      () => rolesPath(d),
      { body: 'role[name]=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
    ],
    [
      'text/plain JSON',
      'POST',
      () => rolesPath(d),
      { body: '{"role":{"name":"x"}}', headers: { 'content-type': 'text/plain' } },
      415,
    ],
    [
      'an unknown branch',
      'POST',
      () => rolesPath(d, 'br-no-such-00000000'),
      json({ role: { name: 'x' } }),
      404,
    ],
    ['an unknown project', 'POST', () => '/projects/no-such-12345678/branches', json({}), 404],
    [
      'an unknown parent branch',
      'POST',
      () => `/projects/${d.projectId}/branches`,
      json({ branch: { parent_id: 'br-no-such-00000000' } }),
      404,
    ],
    [
      'a database of the wrong type',
      'POST',
      () => databasesPath(d),
      json({ database: { name: 'x', owner_name: 7 } }),
      400,
    ],
    [
      'a database without owner',
      'POST',
      () => databasesPath(d),
      json({ database: { name: 'x' } }),
      400,
    ],
    [
      'an unknown endpoint type',
      'POST',
      () => `/projects/${d.projectId}/branches`,
      json({ endpoints: [{ type: 'huge' }] }),
      400,
    ],
    [
      'a protected flag of the wrong type',
      'POST',
      () => `/projects/${d.projectId}/branches`,
      json({ branch: { protected: 'yes' } }),
      400,
    ],
    ['a bad list limit', 'GET', () => `/projects?limit=-1`, {}, 400],
    [
      'a bad operations cursor',
      'GET',
      () => `/projects/${d.projectId}/operations?cursor=abc`,
      {},
      400,
    ],
  ];

  it.each(cases)('%s', async (_name, method, url, options, status, message) => {
    const res = await d.api.request(method, url(), options);
    expectError(res, status, message);
  });

  it('and after all of them, nothing changed', async () => {
    expect(await snapshot(d)).toEqual(before);
  });
});

describe('durability', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-'));
  });
  afterAll(() => {
    vi.useRealTimers();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a restart keeps everything, the generated key too, and finishes an operation in flight', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.parse('2031-06-01T12:00:00Z');
    vi.setSystemTime(t0);
    const env = { NEON_LOCAL_DATA_DIR: dir, NEON_API_KEY: '', NEON_LOCAL_OPERATION_MS: '1000' };

    const first = await demo(env);
    const key = first.api.server.apiKey;
    expect(key).not.toBe(API_KEY);
    expect(first.api.server.generatedKey).toBe(true);
    const child = await createBranch(
      first,
      { name: 'kept' },
      { endpoints: [{ type: 'read_write' }] },
    );
    vi.setSystemTime(t0 + 5_000);
    const created = await createRole(first, 'kept role');
    expect(created.status).toBe(201);
    vi.setSystemTime(t0 + 7_000);
    const passwordless = await first.api.request('POST', rolesPath(first), {
      body: { role: { name: 'kept ghost', no_login: true } },
    });
    expect(passwordless.body.role.authentication_method).toBe('no_login');
    vi.setSystemTime(t0 + 10_000);
    expect((await first.api.request('DELETE', `${databasesPath(first)}/analytics`)).status).toBe(
      200,
    );
    vi.setSystemTime(t0 + 12_000);
    const reset = await first.api.request('POST', `${rolesPath(first)}/sally/reset_password`);
    expect(reset.status).toBe(200);
    const inFlight = reset.body.operations[0].id;
    const state = await snapshot(first);
    first.api.close();

    const second = await demo(env);
    try {
      expect(second.api.server.apiKey).toBe(key);
      expect(second.projectId).toBe(first.projectId);
      expect(await snapshot(second)).toEqual(state);
      expect(await roleNames(second)).toContain('kept role');
      // The snapshot holds it too: still no_login, still nothing to reveal.
      expect(
        (await second.api.request('GET', `${rolesPath(second)}/kept%20ghost/reveal_password`)).body,
      ).toEqual({ password: '' });
      expect(await databaseNames(second)).not.toContain('analytics');
      expect(
        (
          await second.api.request(
            'GET',
            `/projects/${second.projectId}/branches/${child.branch.id}`,
          )
        ).body.branch.name,
      ).toBe('kept');
      const reveal = await second.api.request('GET', `${rolesPath(second)}/sally/reveal_password`);
      expect(reveal.body.password).toBe(reset.body.role.password);

      // Half-way through sally's reset, which was in flight at the stop.
      vi.setSystemTime(t0 + 12_500);
      const op = () =>
        second.api.request('GET', `/projects/${second.projectId}/operations/${inFlight}`);
      expect((await op()).body.operation.status).toBe('running');
      expectError(await createRole(second, 'too soon'), 423);
      vi.setSystemTime(t0 + 13_000);
      expect((await op()).body.operation.status).toBe('finished');
      expect((await createRole(second, 'later')).status).toBe(201);
    } finally {
      second.api.close();
    }
  });
});
