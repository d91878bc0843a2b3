// Real Postgres behind the API (NEON_LOCAL_COMPUTES=1): the users the API makes are roles
// that log in, through the endpoint host the API reports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InProcessApi } from './support/api.ts';
import {
  closeComputeApi,
  computeApi,
  createOwnedProject,
  finished,
  loginError,
  query,
  tempDataDir,
  type Login,
} from './support/computes.ts';

let dataDir: string;
let api: InProcessApi;
let projectId: string;
let branchId: string;
let host: string;
let owner: Login;
const roles = () => `/projects/${projectId}/branches/${branchId}/roles`;

beforeAll(async () => {
  dataDir = tempDataDir('roles');
  api = computeApi(dataDir);
  ({ projectId, branchId, host, owner } = await createOwnedProject(api, 'computes'));
}, 120_000);

afterAll(() => closeComputeApi(api, dataDir));

async function createRole(name: string): Promise<string> {
  const res = await api.request('POST', roles(), { body: { role: { name } } });
  expect(res.status).toBe(201);
  await finished(api, projectId, res.body.operations);
  return res.body.role.password;
}

describe('with computes on', () => {
  it('reports the endpoint as 127.0.0.1 and a port, and its owner logs in there', async () => {
    expect(host).toMatch(/^127\.0\.0\.1:\d+$/);
    const [row] = await query(owner, 'SELECT current_user AS me, current_database() AS db');
    expect(row).toEqual({ me: 'app_owner', db: 'neondb' });
  });

  it('creates a user that logs in with the returned password, a wrong one refused', async () => {
    const password = await createRole('alice');
    const alice = { host, user: 'alice', password, database: 'neondb' };
    const [row] = await query(alice, 'SELECT current_user AS me');
    expect(row!.me).toBe('alice');
    expect(await loginError({ ...alice, password: `${password}x` })).toMatch(
      /password authentication failed/,
    );
  });

  it("gives users Neon's privileges: neon_superuser, CREATEDB, CREATEROLE", async () => {
    const password = await createRole('bob');
    const [row] = await query(
      { host, user: 'bob', password, database: 'neondb' },
      `SELECT rolcreatedb, rolcreaterole, pg_has_role('bob', 'neon_superuser', 'member') AS neon
         FROM pg_roles WHERE rolname = 'bob'`,
    );
    expect(row).toEqual({ rolcreatedb: true, rolcreaterole: true, neon: true });
    const [web] = await query(
      owner,
      `SELECT rolcanlogin FROM pg_roles WHERE rolname = 'web_access'`,
    );
    expect(web).toEqual({ rolcanlogin: false });
  });

  it('makes a no_login user NOLOGIN, still in neon_superuser: every login is refused', async () => {
    const res = await api.request('POST', roles(), {
      body: { role: { name: 'nologin_nina', no_login: true } },
    });
    expect(res.status).toBe(201);
    expect(res.body.role).not.toHaveProperty('password');
    await finished(api, projectId, res.body.operations);
    const [row] = await query(
      owner,
      `SELECT rolcanlogin, pg_has_role('nologin_nina', 'neon_superuser', 'member') AS neon
         FROM pg_roles WHERE rolname = 'nologin_nina'`,
    );
    expect(row).toEqual({ rolcanlogin: false, neon: true });
    const nina = { host, user: 'nologin_nina', password: 'any-password', database: 'neondb' };
    expect(await loginError(nina)).toMatch(
      /password authentication failed for user "nologin_nina"/,
    );
  });

  it('resets a password: the old one is refused, the new one logs in', async () => {
    const old = await createRole('carol');
    const reset = await api.request('POST', `${roles()}/carol/reset_password`);
    expect(reset.status).toBe(200);
    await finished(api, projectId, reset.body.operations);
    const carol = { host, user: 'carol', database: 'neondb' };
    expect(await loginError({ ...carol, password: old })).toMatch(/password authentication failed/);
    expect(await loginError({ ...carol, password: reset.body.role.password })).toBeUndefined();
  });

  it('deletes a user: refused after, tables it owned go to the database owner', async () => {
    const password = await createRole('dave');
    const dave = { host, user: 'dave', password, database: 'neondb' };
    await query(owner, 'GRANT CREATE ON SCHEMA public TO dave');
    await query(dave, 'CREATE TABLE dave_notes (note text)');
    const deleted = await api.request('DELETE', `${roles()}/dave`);
    expect(deleted.status).toBe(200);
    await finished(api, projectId, deleted.body.operations);
    expect(await loginError(dave)).toMatch(/password authentication failed|does not exist/);
    const [table] = await query(
      owner,
      `SELECT tableowner FROM pg_tables WHERE tablename = 'dave_notes'`,
    );
    expect(table).toEqual({ tableowner: 'app_owner' });
  });

  it('creates a database through the API with its owner, and the owner rule reads the catalog', async () => {
    const password = await createRole('erin');
    const db = await api.request('POST', `/projects/${projectId}/branches/${branchId}/databases`, {
      body: { database: { name: 'erin_db', owner_name: 'erin' } },
    });
    expect(db.status).toBe(201);
    await finished(api, projectId, db.body.operations);
    const erin = { host, user: 'erin', password, database: 'erin_db' };
    const [row] = await query(
      erin,
      `SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()`,
    );
    expect(row).toEqual({ owner: 'erin' });

    // A database made with SQL, not through the API: its owner cannot be deleted either.
    const frank = await createRole('frank');
    await query(
      { host, user: 'frank', password: frank, database: 'neondb' },
      'CREATE DATABASE frank_sql',
    );
    const refused = await api.request('DELETE', `${roles()}/frank`);
    expect(refused.status).toBe(422);
    expect(refused.body.message).toContain('frank_sql');
    expect(
      await loginError({ host, user: 'frank', password: frank, database: 'neondb' }),
    ).toBeUndefined();
  });
});
