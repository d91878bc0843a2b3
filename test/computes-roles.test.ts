// Real Postgres behind the API (NEON_LOCAL_COMPUTES=1): the users the API makes are roles
// that log in, through the endpoint host the API reports.
import { describe, expect, it } from 'vitest';
import { computesSuite, finished } from './support/computes.ts';
import { loginError, query } from './support/pg-login.ts';

const suite = computesSuite('roles');
const roles = () => `/projects/${suite.projectId}/branches/${suite.branchId}/roles`;

async function createRole(name: string): Promise<string> {
  const res = await suite.api.request('POST', roles(), { body: { role: { name } } });
  expect(res.status).toBe(201);
  await finished(suite.api, suite.projectId, res.body.operations);
  return res.body.role.password;
}

describe('with computes on', () => {
  it('reports the endpoint as 127.0.0.1 and a port, and its owner logs in there', async () => {
    expect(suite.host).toMatch(/^127\.0\.0\.1:\d+$/);
    const [row] = await query(suite.owner, 'SELECT current_user AS me, current_database() AS db');
    expect(row).toEqual({ me: 'app_owner', db: 'neondb' });
  });

  it('creates a user that logs in with the returned password, a wrong one refused', async () => {
    const password = await createRole('alice');
    const alice = { host: suite.host, user: 'alice', password, database: 'neondb' };
    const [row] = await query(alice, 'SELECT current_user AS me');
    expect(row!.me).toBe('alice');
    expect(await loginError({ ...alice, password: `${password}x` })).toMatch(
      /password authentication failed/,
    );
  });

  it("gives users Neon's privileges: neon_superuser, CREATEDB, CREATEROLE", async () => {
    const password = await createRole('bob');
    const [row] = await query(
      { host: suite.host, user: 'bob', password, database: 'neondb' },
      `SELECT rolcreatedb, rolcreaterole, pg_has_role('bob', 'neon_superuser', 'member') AS neon
         FROM pg_roles WHERE rolname = 'bob'`,
    );
    expect(row).toEqual({ rolcreatedb: true, rolcreaterole: true, neon: true });
    const [web] = await query(
      suite.owner,
      `SELECT rolcanlogin FROM pg_roles WHERE rolname = 'web_access'`,
    );
    expect(web).toEqual({ rolcanlogin: false });
  });

  it('makes a no_login user NOLOGIN, still in neon_superuser: every login is refused', async () => {
    const res = await suite.api.request('POST', roles(), {
      body: { role: { name: 'nologin_nina', no_login: true } },
    });
    expect(res.status).toBe(201);
    expect(res.body.role).not.toHaveProperty('password');
    await finished(suite.api, suite.projectId, res.body.operations);
    const [row] = await query(
      suite.owner,
      `SELECT rolcanlogin, pg_has_role('nologin_nina', 'neon_superuser', 'member') AS neon
         FROM pg_roles WHERE rolname = 'nologin_nina'`,
    );
    expect(row).toEqual({ rolcanlogin: false, neon: true });
    const nina = {
      host: suite.host,
      user: 'nologin_nina',
      password: 'any-password',
      database: 'neondb',
    };
    expect(await loginError(nina)).toMatch(
      /password authentication failed for user "nologin_nina"/,
    );
  });

  it('resets a password: the old one is refused, the new one logs in', async () => {
    const old = await createRole('carol');
    const reset = await suite.api.request('POST', `${roles()}/carol/reset_password`);
    expect(reset.status).toBe(200);
    await finished(suite.api, suite.projectId, reset.body.operations);
    const carol = { host: suite.host, user: 'carol', database: 'neondb' };
    expect(await loginError({ ...carol, password: old })).toMatch(/password authentication failed/);
    expect(await loginError({ ...carol, password: reset.body.role.password })).toBeUndefined();
  });

  it('deletes a user: refused after, tables it owned go to the database owner', async () => {
    const password = await createRole('dave');
    const dave = { host: suite.host, user: 'dave', password, database: 'neondb' };
    await query(suite.owner, 'GRANT CREATE ON SCHEMA public TO dave');
    await query(dave, 'CREATE TABLE dave_notes (note text)');
    const deleted = await suite.api.request('DELETE', `${roles()}/dave`);
    expect(deleted.status).toBe(200);
    await finished(suite.api, suite.projectId, deleted.body.operations);
    expect(await loginError(dave)).toMatch(/password authentication failed|does not exist/);
    const [table] = await query(
      suite.owner,
      `SELECT tableowner FROM pg_tables WHERE tablename = 'dave_notes'`,
    );
    expect(table).toEqual({ tableowner: 'app_owner' });
  });

  it('creates a database through the API with its owner, and the owner rule reads the catalog', async () => {
    const password = await createRole('erin');
    const db = await suite.api.request(
      'POST',
      `/projects/${suite.projectId}/branches/${suite.branchId}/databases`,
      {
        body: { database: { name: 'erin_db', owner_name: 'erin' } },
      },
    );
    expect(db.status).toBe(201);
    await finished(suite.api, suite.projectId, db.body.operations);
    const erin = { host: suite.host, user: 'erin', password, database: 'erin_db' };
    const [row] = await query(
      erin,
      `SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()`,
    );
    expect(row).toEqual({ owner: 'erin' });

    // A database made with SQL, not through the API: its owner cannot be deleted either.
    const frank = await createRole('frank');
    await query(
      { host: suite.host, user: 'frank', password: frank, database: 'neondb' },
      'CREATE DATABASE frank_sql',
    );
    const refused = await suite.api.request('DELETE', `${roles()}/frank`);
    expect(refused.status).toBe(422);
    expect(refused.body.message).toContain('frank_sql');
    expect(
      await loginError({ host: suite.host, user: 'frank', password: frank, database: 'neondb' }),
    ).toBeUndefined();
  });
});
