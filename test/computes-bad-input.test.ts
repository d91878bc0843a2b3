// Bad input at the Postgres boundary, through the API with computes on: names that look like
// SQL are literal role names, and names Postgres could not hold are refused before it sees them.
import { describe, expect, it } from 'vitest';
import { postgresLogs } from './support/compute-helpers.ts';
import { computesSuite, finished } from './support/computes.ts';
import { query } from './support/pg-login.ts';

const suite = computesSuite('bad-input');
const roles = () => `/projects/${suite.projectId}/branches/${suite.branchId}/roles`;
const rolePath = (name: string) => `${roles()}/${encodeURIComponent(name)}`;

/** Every role Postgres has, from the catalog (a client's view, not our store's). */
async function pgRoles(): Promise<string[]> {
  const rows = await query<{ rolname: string }>(suite.owner, 'SELECT rolname FROM pg_roles');
  return rows.map((row) => row.rolname).sort();
}

async function operationCount(): Promise<number> {
  const res = await suite.api.request('GET', `/projects/${suite.projectId}/operations`);
  expect(res.status).toBe(200);
  return res.body.operations.length;
}

const LITERAL_NAMES = [
  `o'brien`,
  'quote"double',
  'back\\slash\\',
  'dollar$$body$$',
  '$tag$x$tag$',
  'semi;colon',
  'dash--comment',
  "'); DROP ROLE app_owner; --",
  '"; DROP ROLE app_owner; --',
  "x' SUPERUSER; --",
  'with space',
  'ünïcødé-名前',
  'x'.repeat(63),
  'é'.repeat(31) + 'x', // 63 bytes of UTF-8 in 32 characters
  '名'.repeat(21), // 63 bytes
];

describe('names at the Postgres boundary, through the API', { timeout: 120_000 }, () => {
  it('names that look like SQL are literal roles: each logs in under exactly that name, and nothing else appears', async () => {
    const before = await pgRoles();
    const passwords = new Map<string, string>();
    for (const name of LITERAL_NAMES) {
      const res = await suite.api.request('POST', roles(), { body: { role: { name } } });
      expect(res.status, `${name}: ${res.text}`).toBe(201);
      expect(res.body.role.name).toBe(name);
      await finished(suite.api, suite.projectId, res.body.operations);
      passwords.set(name, res.body.role.password);
    }

    const after = await pgRoles();
    expect(after.filter((name) => !before.includes(name))).toEqual([...LITERAL_NAMES].sort());
    expect(before.filter((name) => !after.includes(name))).toEqual([]);

    for (const name of LITERAL_NAMES) {
      const [row] = await query(
        { host: suite.host, user: name, password: passwords.get(name)!, database: 'neondb' },
        `SELECT current_user AS me, rolsuper FROM pg_roles WHERE rolname = current_user`,
      );
      expect(row).toEqual({ me: name, rolsuper: false });
    }

    // Reset and delete reach Postgres with the name taken from the path.
    for (const name of LITERAL_NAMES) {
      const reset = await suite.api.request('POST', `${rolePath(name)}/reset_password`);
      expect(reset.status, `${name}: ${reset.text}`).toBe(200);
      await finished(suite.api, suite.projectId, reset.body.operations);
      const [row] = await query(
        { host: suite.host, user: name, password: reset.body.role.password, database: 'neondb' },
        'SELECT current_user AS me',
      );
      expect(row).toEqual({ me: name });
      const deleted = await suite.api.request('DELETE', rolePath(name));
      expect(deleted.status, `${name}: ${deleted.text}`).toBe(200);
      await finished(suite.api, suite.projectId, deleted.body.operations);
    }
    expect(await pgRoles()).toEqual(before);
  });

  it('NUL, control characters and names over 63 bytes are refused with 400 in Neon’s shape; Postgres never hears of them', async () => {
    const rolesBefore = await pgRoles();
    const opsBefore = await operationCount();
    const logBefore = postgresLogs(suite.dataDir);
    const refused = [
      'nul\u0000byte',
      '\u0000',
      'tab\there',
      'line\nbreak',
      'carriage\rreturn',
      'escape\u001b[0m',
      'delete\u007f',
      'é'.repeat(32), // 64 bytes
      'x'.repeat(64),
    ];
    for (const name of refused) {
      const res = await suite.api.request('POST', roles(), { body: { role: { name } } });
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect(res.body).toEqual({
        code: expect.any(String),
        message: expect.stringMatching(/control characters|bytes long/),
        request_id: expect.any(String),
      });
    }
    // The same names in a path (reset, delete) name no role: 404, as for any unknown one.
    for (const name of ['nul\u0000byte', 'line\nbreak']) {
      const reset = await suite.api.request('POST', `${rolePath(name)}/reset_password`);
      expect(reset.status).toBe(404);
      expect(reset.body.message).toMatch(/role not found/);
      const deleted = await suite.api.request('DELETE', rolePath(name));
      expect(deleted.status).toBe(404);
    }
    expect(await operationCount()).toBe(opsBefore);
    expect(await pgRoles()).toEqual(rolesBefore);
    expect(postgresLogs(suite.dataDir).slice(logBefore.length)).not.toMatch(/ERROR|FATAL/);
    const listed = await suite.api.request('GET', roles());
    expect(listed.body.roles.map((r: { name: string }) => r.name).sort()).toEqual(
      ['app_owner', 'web_access'].sort(),
    );
  });
});
