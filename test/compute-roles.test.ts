import { beforeAll, describe, expect, it } from 'vitest';
import type { DesiredState } from '../server/compute/compute-manager.ts';
import {
  connectionUrl,
  login,
  loginError,
  postgresLogs,
  psql,
  queryAs,
} from './support/compute-helpers.ts';
import { engineSuite } from './support/engine-suite.ts';

const engine = engineSuite();

// One cluster for the whole file: every test makes its own uniquely named roles.
let port: number;
const BRANCH = 'br-roles';
const passwords: string[] = [];

function password(label: string): string {
  const value = `${label}-${Math.random().toString(36).slice(2)}Aa9`;
  passwords.push(value);
  return value;
}

async function apply(state: Partial<DesiredState>) {
  return engine.manager.apply(BRANCH, { roles: [], databases: [], ...state });
}

beforeAll(async () => {
  port = await engine.rootBranch(BRANCH);
}, 120_000);

describe('roles applied from the desired state', { timeout: 60_000 }, () => {
  it('a created role logs in with its password over TLS with channel binding (psql and pg)', async () => {
    const pw = password('alice');
    const changes = await apply({ roles: [{ name: 'alice', password: pw }] });
    expect(changes).toContain('created role "alice"');

    expect(await psql(connectionUrl(port, 'alice', pw), 'select current_user')).toBe('alice');
    const [row] = await queryAs<{ user: string; ssl: boolean; member: boolean }>(
      port,
      'alice',
      pw,
      `select current_user as user,
              (select ssl from pg_stat_ssl where pid = pg_backend_pid()) as ssl,
              pg_has_role('alice', 'neon_superuser', 'member') as member`,
    );
    expect(row).toEqual({ user: 'alice', ssl: true, member: true });
    const [attrs] = await queryAs(
      port,
      'alice',
      pw,
      "select rolcreatedb, rolcreaterole, rolsuper from pg_roles where rolname = 'alice'",
    );
    expect(attrs).toEqual({ rolcreatedb: true, rolcreaterole: true, rolsuper: false });
  });

  it('refuses a wrong password, and a connection without TLS', async () => {
    const pw = password('bob');
    await apply({ roles: [{ name: 'bob', password: pw }] });
    expect(await loginError(port, 'bob', `${pw}x`)).toMatch(/password authentication failed/);
    await expect(
      psql(`postgresql://bob:${pw}@127.0.0.1:${port}/postgres?sslmode=disable`, 'select 1'),
    ).rejects.toThrow(/no encryption|pg_hba/);
  });

  it('changes a password: the old one is refused, the new one works; re-applying changes nothing', async () => {
    const first = password('carol');
    const second = password('carol2');
    await apply({ roles: [{ name: 'carol', password: first }] });
    expect(await loginError(port, 'carol', first)).toBeUndefined();

    expect(await apply({ roles: [{ name: 'carol', password: second }] })).toEqual([
      'set the password of role "carol"',
    ]);
    expect(await loginError(port, 'carol', first)).toMatch(/password authentication failed/);
    expect(await loginError(port, 'carol', second)).toBeUndefined();
    expect(await apply({ roles: [{ name: 'carol', password: second }] })).toEqual([]);
  });

  it('drops a role: it cannot log in after, and its open session is ended', async () => {
    const pw = password('dave');
    await apply({ roles: [{ name: 'dave', password: pw }] });
    const session = await login(port, 'dave', pw);
    await apply({ dropRoles: ['dave'] });
    expect(await loginError(port, 'dave', pw)).toMatch(/password authentication failed/);
    await expect(session.query('select 1')).rejects.toThrow();
    expect((await engine.manager.listRoles(BRANCH)).map((r) => r.name)).not.toContain('dave');
    // Dropping what is already gone is a no-op, not an error.
    expect(await apply({ dropRoles: ['dave'] })).toEqual([]);
  });

  it('a NOLOGIN role exists and cannot log in', async () => {
    await apply({ roles: [{ name: 'readers', password: null }] });
    expect(await loginError(port, 'readers', '')).toMatch(/not permitted to log in|password/);
    const roles = await engine.manager.listRoles(BRANCH);
    expect(roles.find((r) => r.name === 'readers')).toEqual({
      name: 'readers',
      canLogin: false,
      hasPassword: false,
    });
  });

  it('creates a database with its owner; the owner rule comes from the catalog', async () => {
    const pw = password('erin');
    await apply({
      roles: [{ name: 'erin', password: pw }],
      databases: [{ name: 'erin_db', owner: 'erin' }],
    });
    const [row] = await queryAs(
      port,
      'erin',
      pw,
      'select current_database() as db, pg_get_userbyid(datdba) as owner from pg_database where datname = current_database()',
      'erin_db',
    );
    expect(row).toEqual({ db: 'erin_db', owner: 'erin' });
    // A role that owns a database is refused with Postgres's wording; nothing changes.
    await expect(apply({ dropRoles: ['erin'] })).rejects.toThrow(
      /role "erin" cannot be dropped because some objects depend on it.*owner of database erin_db/,
    );
    expect(await loginError(port, 'erin', pw, 'erin_db')).toBeUndefined();
    // Dropped together with its database, it goes.
    await apply({ dropDatabases: ['erin_db'], dropRoles: ['erin'] });
    expect(await loginError(port, 'erin', pw)).toMatch(/password authentication failed/);
  });

  it('drops a role owning tables: they pass to the database owner, as Neon does', async () => {
    const ownerPw = password('frank');
    const userPw = password('gina');
    await apply({
      roles: [
        { name: 'frank', password: ownerPw },
        { name: 'gina', password: userPw },
      ],
      databases: [{ name: 'frank_db', owner: 'frank' }],
    });
    await queryAs(port, 'frank', ownerPw, 'grant create on schema public to gina', 'frank_db');
    const gina = await login(port, 'gina', userPw, 'frank_db');
    await gina.query('create table gina_notes (body text)');
    await gina.query("insert into gina_notes values ('kept')");
    await gina.query('grant select on gina_notes to public');
    await gina.end();

    const changes = await apply({ dropRoles: ['gina'] });
    expect(changes).toContain('dropped role "gina"');
    const rows = await queryAs(
      port,
      'frank',
      ownerPw,
      "select tableowner, (select body from gina_notes) as body from pg_tables where tablename = 'gina_notes'",
      'frank_db',
    );
    expect(rows).toEqual([{ tableowner: 'frank', body: 'kept' }]);
    expect(await loginError(port, 'gina', userPw, 'frank_db')).toMatch(/password authentication/);
  });

  it('leaves roles made with SQL alone, and lists them', async () => {
    const pw = password('hank');
    await apply({ roles: [{ name: 'hank', password: pw }] });
    await queryAs(port, 'hank', pw, "create role made_in_psql login password 'x-12345'");
    await apply({ roles: [{ name: 'hank', password: pw }], dropRoles: ['not_there'] });
    const names = (await engine.manager.listRoles(BRANCH)).map((r) => r.name);
    expect(names).toContain('made_in_psql');
    expect(names).not.toContain('cloud_admin');
    expect(names.some((name) => name.startsWith('pg_'))).toBe(false);
  });

  it('any name the API accepts is a real role of exactly that name, and nothing else appears', async () => {
    const odd = [
      'with space',
      'quote"double',
      "quote'single",
      'slash/role',
      'dollar$$body',
      'semi;colon',
      'dash--comment',
      'ünïcødé-角色',
      'x'.repeat(63),
      'é'.repeat(31) + 'x', // 63 bytes
      'a"; DROP ROLE alice; --',
      "b'); DROP DATABASE postgres; --",
      'Mixed Case',
    ];
    const before = new Set((await engine.manager.listRoles(BRANCH)).map((r) => r.name));
    const pws = new Map(odd.map((name) => [name, password('odd')]));
    await apply({
      roles: odd.map((name) => ({ name, password: pws.get(name)! })),
      databases: [{ name: 'db with "odd" name/ü', owner: 'a"; DROP ROLE alice; --' }],
    });
    const after = (await engine.manager.listRoles(BRANCH)).map((r) => r.name);
    expect(after.filter((name) => !before.has(name)).sort()).toEqual([...odd].sort());
    expect(after).toContain('alice');

    for (const name of odd) {
      const [row] = await queryAs(port, name, pws.get(name)!, 'select current_user as u');
      expect(row).toEqual({ u: name });
    }
    expect(
      await psql(
        connectionUrl(
          port,
          'a"; DROP ROLE alice; --',
          pws.get('a"; DROP ROLE alice; --')!,
          'db with "odd" name/ü',
        ),
        'select current_database()',
      ),
    ).toBe('db with "odd" name/ü');

    await apply({ dropDatabases: ['db with "odd" name/ü'], dropRoles: odd });
    const final = (await engine.manager.listRoles(BRANCH)).map((r) => r.name);
    expect(final.filter((name) => !before.has(name))).toEqual([]);
    expect(final).toContain('alice');
  });

  it('refuses a name longer than 63 bytes instead of letting Postgres truncate it', async () => {
    await expect(apply({ roles: [{ name: 'é'.repeat(32), password: 'x' }] })).rejects.toThrow(
      /longer than 63 bytes/,
    );
  });

  it('a failing role change applies nothing of the batch, with Postgres’s message', async () => {
    const pw = password('ivy');
    await expect(
      apply({
        roles: [
          { name: 'ivy', password: pw },
          { name: 'pg_not_allowed', password: pw },
        ],
      }),
    ).rejects.toThrow(/role name "pg_not_allowed" is reserved/);
    expect((await engine.manager.listRoles(BRANCH)).map((r) => r.name)).not.toContain('ivy');
  });

  it('no password ever reaches Postgres’s log', async () => {
    const logs = postgresLogs(engine.dataDir);
    expect(logs.length).toBeGreaterThan(0);
    for (const pw of passwords) expect(logs).not.toContain(pw);
    expect(logs).not.toMatch(/SCRAM-SHA-256\$/);
    expect(logs).not.toMatch(/(CREATE|ALTER) ROLE|PASSWORD '/i);
  });

  it("a burst of applies shares one session of the engine's, which is gone once the compute idles", async () => {
    const pw = password('watcher');
    const roles = [{ name: 'watcher', password: pw }];
    await apply({ roles });
    const engineBackends = async () =>
      (
        await queryAs<{ pid: number }>(
          port,
          'watcher',
          pw,
          "select pid from pg_stat_activity where application_name = 'neon-local compute engine'",
        )
      ).map((row) => row.pid);
    const first = await engineBackends();
    await apply({ roles: [...roles, { name: 'burst_1', password: password('burst') }] });
    await apply({ roles: [...roles, { name: 'burst_2', password: password('burst') }] });
    const after = await engineBackends();
    expect(first).toHaveLength(1);
    expect(after).toEqual(first);

    const deadline = Date.now() + 10_000;
    while ((await engineBackends()).length > 0) {
      if (Date.now() > deadline) throw new Error("the engine's session outlived the burst");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
});
