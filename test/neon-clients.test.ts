// Neon's own clients, unchanged, against the local server over HTTP: the official SDK, the
// older axios-based api-client, and the neonctl CLI through its --api-host flag.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNeonClient } from '@neon/sdk';
import { createApiClient, EndpointType } from '@neondatabase/api-client';
import { startLocalServer, type LocalServer } from './support/local-server.ts';
import type { Body } from './support/api.ts';

const run = promisify(execFile);
const NEONCTL = path.resolve('node_modules/.bin/neonctl');

let server: LocalServer;
let projectId: string;
let mainId: string;

async function rest(method: string, apiPath: string, body?: unknown): Promise<Body> {
  const res = await fetch(`${server.url}/api/v2${apiPath}`, {
    method,
    headers: {
      authorization: `Bearer ${server.apiKey}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.status === 204 ? undefined : res.json();
}

/** The URI Neon answers for the demo's owner on neondb at main's endpoint, and its pooled form. */
async function ownerUris(): Promise<{ direct: string; pooled: string }> {
  const { password } = await rest(
    'GET',
    `/projects/${projectId}/branches/${mainId}/roles/demo/reveal_password`,
  );
  const { endpoints } = await rest('GET', `/projects/${projectId}/branches/${mainId}/endpoints`);
  const host: string = endpoints[0].host;
  const uri = (at: string) =>
    `postgresql://demo:${encodeURIComponent(password)}@${at}/neondb?sslmode=require&channel_binding=require`;
  return { direct: uri(host), pooled: uri(host.replace(/^(ep-[^.]+)/, '$1-pooler')) };
}

const roleNames = async (branchId = mainId): Promise<string[]> =>
  (await rest('GET', `/projects/${projectId}/branches/${branchId}/roles`)).roles.map(
    (r: Body) => r.name,
  );

beforeAll(async () => {
  server = await startLocalServer();
  projectId = (await rest('GET', '/projects')).projects[0].id;
  mainId = (await rest('GET', `/projects/${projectId}/branches`)).branches.find(
    (b: Body) => b.default,
  ).id;
});
afterAll(() => server.close());

describe('@neon/sdk', () => {
  const client = () =>
    createNeonClient({
      apiKey: server.apiKey,
      baseUrl: `${server.url}/api/v2`,
      throwOnError: true,
    });

  it('lists projects and reads users/me', async () => {
    const neon = client();
    const projects = await neon.projects.list().all();
    expect(projects.map((p) => p.id)).toContain(projectId);
    const me = await neon.user.me();
    expect(me.login).toBe('demo');
  });

  it("reads the key's organization, and walks projects and branches a page at a time to the end", async () => {
    const orgs = await client().user.organizations();
    expect(orgs.map((o) => o.id)).toEqual([expect.stringMatching(/^[a-z0-9-]{1,60}$/)]);
    // A server of its own: the neonctl tests below rely on the demo project being the only one.
    const paged = await startLocalServer();
    try {
      const requests: string[] = [];
      const neon = createNeonClient({
        apiKey: paged.apiKey,
        baseUrl: `${paged.url}/api/v2`,
        throwOnError: true,
        orgId: orgs[0]!.id,
        fetch: (input, init) => {
          requests.push(new URL(input instanceof Request ? input.url : String(input)).search);
          return fetch(input, init);
        },
      });
      for (const name of ['paged-1', 'paged-2']) await neon.projects.create({ name });
      const all = await neon.projects.list({ limit: 2 }).all();
      expect(all.map((p) => p.name)).toEqual(['demo-project', 'paged-1', 'paged-2']);
      expect(new Set(all.map((p) => p.org_id))).toEqual(new Set([orgs[0]!.id]));
      // Two full pages, then the empty one that tells `.all()` it has everything.
      const listing = requests.filter((q) => q.includes('limit=2'));
      expect(listing).toHaveLength(3);
      expect(listing.every((q) => q.includes(`org_id=${orgs[0]!.id}`))).toBe(true);
      const searched = await neon.projects.list({ limit: 1, search: 'PAGED' }).all();
      expect(searched.map((p) => p.name)).toEqual(['paged-1', 'paged-2']);
      // Branches page by pagination.next, which the last page leaves out.
      const demo = all.find((p) => p.name === 'demo-project')!.id;
      requests.length = 0;
      const branches = await neon.branches.list({ projectId: demo, limit: 1 }).all();
      expect(branches.map((b) => b.name).sort()).toEqual(['dev', 'main']);
      expect(requests).toHaveLength(2);
    } finally {
      await paged.close();
    }
  });

  it('creates, reveals, resets and deletes a role', async () => {
    const neon = client();
    const params = { projectId, branchId: mainId };
    const created = await neon.postgres.roles.create({ ...params, name: 'sdk user' });
    expect(created.name).toBe('sdk user');
    expect(created.password).toMatch(/^\S{12,}$/);
    expect((await neon.postgres.roles.list(params)).map((r) => r.name)).toContain('sdk user');
    const roleParams = { ...params, roleName: 'sdk user' };
    expect(await neon.postgres.roles.password(roleParams)).toBe(created.password);
    const reset = await neon.postgres.roles.resetPassword(roleParams);
    expect(reset.password).toMatch(/^\S{12,}$/);
    expect(reset.password).not.toBe(created.password);
    expect(await neon.postgres.roles.password(roleParams)).toBe(reset.password);
    await neon.postgres.roles.delete(roleParams);
    expect(await roleNames()).not.toContain('sdk user');
  });

  it('a passwordless role: no password, an empty one revealed, the reset refused with 422', async () => {
    const neon = createNeonClient({ apiKey: server.apiKey, baseUrl: `${server.url}/api/v2` });
    const params = { projectId, branchId: mainId };
    const created = await neon.postgres.roles.create({
      ...params,
      name: 'sdk nologin',
      no_login: true,
    });
    expect(created.data?.authentication_method).toBe('no_login');
    expect(created.data).not.toHaveProperty('password');
    const roleParams = { ...params, roleName: 'sdk nologin' };
    expect((await neon.postgres.roles.password(roleParams)).data).toBe('');
    const { error } = await neon.postgres.roles.resetPassword(roleParams);
    expect(error?.kind === 'api' ? [error.status, error.code] : error).toEqual([
      422,
      'ROLE_PASSWORD_NOT_AVAILABLE',
    ]);
    await neon.postgres.roles.delete(roleParams, { throwOnError: true });
  });

  it('connectionString: pooled unless asked otherwise, in Neon’s form; an unknown role is not_found', async () => {
    const neon = client();
    const { direct, pooled } = await ownerUris();
    const params = { projectId, roleName: 'demo', databaseName: 'neondb' };
    // Without branchId the SDK finds the default branch itself first.
    expect(await neon.postgres.connectionString(params)).toBe(pooled);
    expect(await neon.postgres.connectionString({ ...params, pooled: false })).toBe(direct);
    expect(
      await neon.postgres.connectionString({ ...params, branchId: mainId, pooled: false }),
    ).toBe(direct);
    const { error } = await neon.postgres.connectionString(
      { ...params, branchId: mainId, roleName: 'nobody' },
      { throwOnError: false },
    );
    expect(error?.kind).toBe('not_found');
  });

  it('creates a branch (waiting for its operations) and lists it', async () => {
    const neon = client();
    const branch = await neon.branches.create({ projectId, name: 'sdk-branch', parent_id: mainId });
    expect(branch.name).toBe('sdk-branch');
    expect(branch.parent_id).toBe(mainId);
    const listed = await neon.branches.list({ projectId }).all();
    expect(listed.map((b) => b.id)).toContain(branch.id);
    // The branch got the parent's roles.
    expect(await roleNames(branch.id)).toEqual(await roleNames());
  });

  it('reports a missing role as a typed not_found error with the request id', async () => {
    const neon = createNeonClient({ apiKey: server.apiKey, baseUrl: `${server.url}/api/v2` });
    const { error } = await neon.postgres.roles.get({
      projectId,
      branchId: mainId,
      roleName: 'nobody',
    });
    expect(error?.kind).toBe('not_found');
    expect(error && 'requestId' in error ? error.requestId : undefined).toMatch(/\S/);
  });

  it('retries a 423 while operations run, and succeeds once they finish', async () => {
    // Long enough that even a slow machine sends the second request while the first runs.
    const slow = await startLocalServer({ NEON_LOCAL_OPERATION_MS: '1000' });
    try {
      const statuses: number[] = [];
      const neon = createNeonClient({
        apiKey: slow.apiKey,
        baseUrl: `${slow.url}/api/v2`,
        throwOnError: true,
        retries: 12,
        fetch: async (input, init) => {
          const res = await fetch(input, init);
          statuses.push(res.status);
          return res;
        },
      });
      const project = (await neon.projects.list().all())[0]!.id;
      const branch = (await neon.branches.getDefault({ projectId: project })).id;
      await neon.postgres.roles.create({ projectId: project, branchId: branch, name: 'first' });
      statuses.length = 0;
      // Its apply_config is still running: the server answers 423 until it finishes.
      const second = await neon.postgres.roles.create({
        projectId: project,
        branchId: branch,
        name: 'second',
      });
      expect(second.name).toBe('second');
      expect(statuses[0]).toBe(423);
      expect(statuses.at(-1)).toBe(201);
    } finally {
      await slow.close();
    }
  });
});

describe('@neondatabase/api-client', () => {
  const client = () => createApiClient({ apiKey: server.apiKey, baseURL: `${server.url}/api/v2` });

  it('lists projects and reads users/me', async () => {
    const api = client();
    expect((await api.listProjects({})).data.projects.map((p) => p.id)).toContain(projectId);
    expect((await api.getCurrentUserInfo()).data.email).toBe('demo@example.com');
  });

  it('reads what the key is, its organizations and one organization', async () => {
    const api = client();
    const auth = (await api.getAuthDetails()).data;
    expect(auth.auth_method).toBe('api_key_user');
    expect(auth.account_id).toBe((await api.getCurrentUserInfo()).data.id);
    const { organizations } = (await api.getCurrentUserOrganizations()).data;
    expect(organizations).toHaveLength(1);
    const org = (await api.getOrganization(organizations[0]!.id)).data;
    expect(org.id).toBe(organizations[0]!.id);
    const inOrg = (await api.listProjects({ org_id: org.id })).data.projects;
    expect(inOrg.map((p) => p.id)).toEqual([projectId]);
  });

  it('creates, reveals, resets (empty form-encoded body) and deletes a role', async () => {
    const api = client();
    const created = await api.createProjectBranchRole(projectId, mainId, {
      role: { name: 'axios/user' },
    });
    expect(created.status).toBe(201);
    expect(created.data.operations[0]?.action).toBe('apply_config');
    expect(
      (await api.listProjectBranchRoles(projectId, mainId)).data.roles.map((r) => r.name),
    ).toContain('axios/user');
    const reset = await api.resetProjectBranchRolePassword(projectId, mainId, 'axios/user');
    expect(reset.data.role.password).toMatch(/^\S{12,}$/);
    expect(reset.data.role.password).not.toBe(created.data.role.password);
    const revealed = await api.getProjectBranchRolePassword(projectId, mainId, 'axios/user');
    expect(revealed.data.password).toBe(reset.data.role.password);
    const deleted = await api.deleteProjectBranchRole(projectId, mainId, 'axios/user');
    expect(deleted.data.role.name).toBe('axios/user');
    expect(await roleNames()).not.toContain('axios/user');
  });

  it('a passwordless role: created with no_login, reveal answers "", reset rejects with 422', async () => {
    const api = client();
    const created = await api.createProjectBranchRole(projectId, mainId, {
      role: { name: 'axios nologin', no_login: true },
    });
    expect(created.data.role.authentication_method).toBe('no_login');
    expect(created.data.role.password).toBeUndefined();
    const revealed = await api.getProjectBranchRolePassword(projectId, mainId, 'axios nologin');
    expect(revealed.data.password).toBe('');
    const error = await api
      .resetProjectBranchRolePassword(projectId, mainId, 'axios nologin')
      .catch((e: unknown) => e);
    const response = (error as { response?: { status: number; data: Body } }).response;
    expect([response?.status, response?.data.code]).toEqual([422, 'ROLE_PASSWORD_NOT_AVAILABLE']);
    await api.deleteProjectBranchRole(projectId, mainId, 'axios nologin');
  });

  it('getConnectionUri, direct and pooled, and a 404 in Neon’s shape for an unknown role', async () => {
    const api = client();
    const { direct, pooled } = await ownerUris();
    const query = { projectId, branch_id: mainId, database_name: 'neondb', role_name: 'demo' };
    expect((await api.getConnectionUri(query)).data.uri).toBe(direct);
    expect((await api.getConnectionUri({ ...query, pooled: true })).data.uri).toBe(pooled);
    const error = await api
      .getConnectionUri({ ...query, role_name: 'nobody' })
      .catch((e: unknown) => e);
    const response = (error as { response?: { status: number; data: Body } }).response;
    expect(response?.status).toBe(404);
    expect(response?.data).toMatchObject({ code: '', message: expect.stringMatching(/\S/) });
  });

  it('creates and lists branches', async () => {
    const api = client();
    const created = await api.createProjectBranch(projectId, {
      branch: { name: 'axios-branch' },
      endpoints: [{ type: EndpointType.ReadWrite }],
    });
    expect(created.status).toBe(201);
    expect(created.data.endpoints).toHaveLength(1);
    const list = await api.listProjectBranches({ projectId });
    expect(list.data.branches.map((b) => b.name)).toContain('axios-branch');
    expect(list.data.annotations).toEqual(expect.any(Object));
  });

  it('surfaces a 404 as an axios error carrying Neon error shape', async () => {
    const api = client();
    const error = await api
      .getProjectBranchRole(projectId, mainId, 'nobody')
      .catch((e: unknown) => e);
    const response = (error as { response?: { status: number; data: Body } }).response;
    expect(response?.status).toBe(404);
    expect(response?.data).toEqual({
      code: expect.any(String),
      message: expect.any(String),
      request_id: expect.any(String),
    });
  });
});

describe('neonctl', () => {
  let configDir: string;
  beforeAll(() => {
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'neonctl-'));
  });
  afterAll(() => fs.rmSync(configDir, { recursive: true, force: true }));

  const neonctl = (...args: string[]) => neonctlOn(server, {}, ...args);

  async function neonctlOn(
    target: LocalServer,
    env: Record<string, string>,
    ...args: string[]
  ): Promise<Body> {
    const { stdout } = await run(
      process.execPath,
      [
        NEONCTL,
        ...args,
        '--api-host',
        `${target.url}/api/v2`,
        '--api-key',
        target.apiKey,
        '--no-analytics',
        '--output',
        'json',
        '--config-dir',
        configDir,
      ],
      { timeout: 90_000, env: { ...process.env, NEON_API_KEY: '', NO_COLOR: '1', ...env } },
    );
    return JSON.parse(stdout);
  }

  it('an organization-only account: branches list finds the project through the organization; projects list pages by cursor', async () => {
    const orgOnly = await startLocalServer({ NEON_LOCAL_ORG_ONLY: '1' });
    try {
      const orgId = 'org-local-00000000';
      const [branches, refusal, recoverable] = await Promise.all([
        neonctlOn(orgOnly, {}, 'branches', 'list'),
        // In CI neonctl does not ask which organization: it reports Neon's refusal.
        neonctlOn(orgOnly, { CI: '1' }, 'projects', 'list').catch((e: { stderr: string }) => e),
        neonctlOn(orgOnly, {}, 'projects', 'list', '--org-id', orgId, '--recoverable-only'),
      ]);
      expect(recoverable).toEqual([]);
      expect(branches.map((b: Body) => b.name).sort()).toEqual(['dev', 'main']);
      expect((refusal as { stderr?: string }).stderr).toContain('org_id is required');

      // neonctl asks 100 a page: 101 projects take two pages, the second short.
      orgOnly.store!.transaction(() => {
        for (let i = 1; i <= 100; i++)
          orgOnly.store!.createProject({ orgId, name: `many-${i}`, roleName: 'owner' });
      });
      const listed = await neonctlOn(orgOnly, {}, 'projects', 'list', '--org-id', orgId);
      // One section (with --org-id there is no "Shared with you"): a plain array.
      const names: string[] = listed.map((p: Body) => p.name);
      expect(names).toHaveLength(101);
      expect(new Set(names)).toEqual(
        new Set(['demo-project', ...Array.from({ length: 100 }, (_, i) => `many-${i + 1}`)]),
      );
    } finally {
      await orgOnly.close();
    }
  }, 150_000);

  // Each neonctl run costs about a second of CPU, so the independent ones run together. The
  // timeouts are generous because a busy machine (parallel test files) slows them many times over.
  it('me, orgs list, projects list, branches list and roles list (both also without --project-id), branches create, roles create (one --no-login=true), then roles delete', async () => {
    const rolesOnMain = await roleNames();
    // On dev, so that the listing of main is not racing with the creates.
    const createOnDev = (name: string, ...flags: string[]) =>
      neonctl(
        'roles',
        'create',
        '--project-id',
        projectId,
        '--branch',
        'dev',
        '--name',
        name,
        ...flags,
      );
    const [
      me,
      orgs,
      projects,
      branches,
      implied,
      roles,
      impliedRoles,
      branch,
      created,
      passwordless,
    ] = await Promise.all([
      neonctl('me'),
      neonctl('orgs', 'list'),
      neonctl('projects', 'list'),
      neonctl('branches', 'list', '--project-id', projectId),
      // Without --project-id: neonctl finds the only organization, then its only project.
      neonctl('branches', 'list'),
      neonctl('roles', 'list', '--project-id', projectId, '--branch', 'main'),
      // Without --project-id or --branch: the only project, then its default branch (main).
      neonctl('roles', 'list'),
      neonctl('branches', 'create', '--project-id', projectId, '--name', 'ctl-branch'),
      createOnDev('ctl user'),
      // Plain `--no-login` never reaches any server: neonctl's yargs reads it as the negation
      // of a `--login` flag and sends no no_login (the role gets a password, on Neon too).
      createOnDev('ctl nologin', '--no-login=true'),
    ]);
    expect(me.login).toBe('demo');
    expect(orgs.map((o: Body) => o.id)).toEqual([expect.stringMatching(/^org-/)]);
    // `branches create` runs alongside: either listing may or may not have seen ctl-branch yet.
    const others = (list: Body[]) =>
      list
        .filter((b) => b.name !== 'ctl-branch')
        .map((b) => b.id)
        .sort();
    expect(others(implied)).toEqual(others(branches));
    expect(projects.projects.map((p: Body) => p.id)).toContain(projectId);
    expect(branches.map((b: Body) => b.name)).toEqual(expect.arrayContaining(['main', 'dev']));
    expect(roles.map((r: Body) => r.name).sort()).toEqual([...rolesOnMain].sort());
    expect(impliedRoles.map((r: Body) => r.name).sort()).toEqual([...rolesOnMain].sort());

    expect(branch.branch.name).toBe('ctl-branch');
    expect(
      (await rest('GET', `/projects/${projectId}/branches/${branch.branch.id}`)).branch.name,
    ).toBe('ctl-branch');

    const devId = branches.find((b: Body) => b.name === 'dev').id;
    expect(created.name).toBe('ctl user');
    expect(created.password).toMatch(/^\S{12,}$/);
    expect(await roleNames(devId)).toContain('ctl user');
    expect(passwordless.name).toBe('ctl nologin');
    expect(passwordless.authentication_method).toBe('no_login');
    expect(passwordless).not.toHaveProperty('password');

    // By id this time: neonctl takes --branch as an id only when it is shaped like one.
    await neonctl('roles', 'delete', 'ctl user', '--project-id', projectId, '--branch', devId);
    expect(await roleNames(devId)).not.toContain('ctl user');
  }, 150_000);
});
