// Neon's own clients, unchanged, against the Neon-shaped stand-in the Neon-mode tests use: if
// they cope with it the way they cope with Neon, the stand-in is shaped like Neon where it counts.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNeonClient, isNeonError } from '@neon/sdk';
import { NeonStandIn } from './support/neon-standin.ts';

const run = promisify(execFile);
const NEONCTL = path.resolve('node_modules/.bin/neonctl');
const KEY = 'napi_standin_clients_2Hj4Kl6Zx8Cv0Bn1Mq3We5Rt7Yu9Io';

let standIn: NeonStandIn;
let beta: string;
let project: { id: string; mainBranchId: string };

beforeAll(async () => {
  standIn = new NeonStandIn({
    keys: { [KEY]: { kind: 'personal' } },
    operationMs: 50,
    branchPageMax: 2,
  });
  standIn.addOrganization('Acme');
  beta = standIn.addOrganization('Beta');
  for (let i = 1; i <= 12; i++) project = standIn.addProject(beta, `p-${i}`);
  standIn.addBranch(project.id, 'dev');
  standIn.addBranch(project.id, 'qa');
  await standIn.start();
});
afterAll(() => standIn.close());

const sdk = () => createNeonClient({ apiKey: KEY, baseUrl: standIn.apiUrl, throwOnError: true });

describe('@neon/sdk against the stand-in', () => {
  it('lists organizations, then all 12 projects of one (pages of Neon’s default 10)', async () => {
    const neon = sdk();
    expect((await neon.user.organizations()).map((o) => o.name)).toEqual(['Acme', 'Beta']);
    const before = standIn.requests.length;
    const projects = await neon.projects.list({ org_id: beta }).all();
    expect(projects).toHaveLength(12);
    // 10, 2, then the empty page that ends `.all()` (a cursor comes with every non-empty page).
    expect(standIn.requests.length - before).toBe(3);
  });

  it('without org_id a personal key gets Neon’s 400 with an empty code', async () => {
    const error = await sdk()
      .projects.list()
      .all()
      .catch((e: unknown) => e);
    expect(isNeonError(error)).toBe(true);
    expect(error).toMatchObject({
      status: 400,
      message: expect.stringContaining('org_id is required'),
    });
    expect((error as { body: unknown }).body).toMatchObject({ code: '' });
  });

  it('walks branches by pagination.next and retries the 423 of a first change', async () => {
    const neon = sdk();
    const branches = await neon.branches.list({ projectId: project.id }).all();
    expect(branches.map((b) => b.name)).toEqual(['main', 'dev', 'qa']);
    const role = await neon.postgres.roles.create({
      projectId: project.id,
      branchId: project.mainBranchId,
      name: 'sdk_user',
    });
    expect(role.name).toBe('sdk_user');
    const posts = standIn.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/roles'));
    expect(posts).toHaveLength(2);
  });

  it('a no_login role as on the local server: no password, "" revealed, the reset 422 ROLE_PASSWORD_NOT_AVAILABLE', async () => {
    const neon = createNeonClient({ apiKey: KEY, baseUrl: standIn.apiUrl });
    const params = { projectId: project.id, branchId: project.mainBranchId };
    const created = await neon.postgres.roles.create({ ...params, name: 'ghost', no_login: true });
    expect(created.data?.authentication_method).toBe('no_login');
    expect(created.data).not.toHaveProperty('password');
    const roleParams = { ...params, roleName: 'ghost' };
    expect((await neon.postgres.roles.password(roleParams)).data).toBe('');
    const { error } = await neon.postgres.roles.resetPassword(roleParams);
    expect(error?.kind === 'api' ? [error.status, error.code, error.message] : error).toEqual([
      422,
      'ROLE_PASSWORD_NOT_AVAILABLE',
      'cannot update password for role without password',
    ]);
  });
});

describe('neonctl against the stand-in', () => {
  let configDir: string;
  beforeAll(() => {
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'neonctl-standin-'));
  });
  afterAll(() => fs.rmSync(configDir, { recursive: true, force: true }));

  const neonctl = async (...args: string[]) =>
    JSON.parse(
      (
        await run(
          process.execPath,
          [
            NEONCTL,
            ...args,
            '--api-host',
            standIn.apiUrl,
            '--api-key',
            KEY,
            '--no-analytics',
            '--output',
            'json',
            '--config-dir',
            configDir,
          ],
          { timeout: 90_000, env: { ...process.env, NEON_API_KEY: '', NO_COLOR: '1' } },
        )
      ).stdout,
    );

  it('orgs list, and a branch by name found on the second page', async () => {
    const [orgs, qa] = await Promise.all([
      neonctl('orgs', 'list'),
      // neonctl resolves a name by walking pagination.next (enrichers.js listAllProjectBranches).
      neonctl('branches', 'get', 'qa', '--project-id', project.id),
    ]);
    expect(orgs.map((o: { name: string }) => o.name)).toEqual(['Acme', 'Beta']);
    expect(qa.name).toBe('qa');
  }, 120_000);
});
