// The name rules (rules/names.ts) seen from both sides: each row of one table is checked by the
// console as the user types (src/lib/role-name.ts) and POSTed through the real app, which must
// refuse it with the same rule, or create it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRoleNameProblem, roleNameProblem } from '../src/lib/role-name.ts';
import { MAX_NAME_BYTES, utf8ByteLength } from '../rules/names.ts';
import { inProcessApi, type Body, type InProcessApi } from './support/api.ts';

interface Row {
  name: string;
  /** The rule broken, or null for a name both sides accept. */
  kind: string | null;
  /** What the console says under the name field. */
  console?: string;
  /** The server's 400 message (after `role.name: `). */
  server?: string;
}

const refused = (name: string, kind: string, console: string, server: string): Row => ({
  name,
  kind,
  console,
  server,
});

const reserved = (name: string): Row =>
  refused(name, 'reserved', `"${name}" is a reserved name.`, `role name "${name}" is reserved`);

const ROWS: Row[] = [
  { name: 'casey2', kind: null },
  { name: 'My User', kind: null },
  { name: 'a.b', kind: null },
  { name: 'ünï 用户 🐘', kind: null },
  // 63 bytes of 1-, 2-, 3- and 4-byte characters are accepted; one byte more is refused.
  { name: 'a'.repeat(63), kind: null },
  { name: 'é'.repeat(31) + 'a', kind: null },
  { name: '€'.repeat(21), kind: null },
  { name: '😀'.repeat(15) + 'aaa', kind: null },
  ...['a'.repeat(64), 'é'.repeat(32), '€'.repeat(21) + 'a', '😀'.repeat(16)].map((name) =>
    refused(
      name,
      'too-long',
      'The name is 64 bytes; the limit is 63 bytes.',
      'role name is 64 bytes long; the limit is 63 bytes',
    ),
  ),
  refused('', 'required', 'Enter a name.', 'role name must not be empty'),
  refused(
    '   ',
    'blank',
    'The name cannot be only spaces.',
    'role name must not be only white space',
  ),
  ...['a\tb', 'a\u0000', 'line\nbreak', 'del\u007f'].map((name) =>
    refused(
      name,
      'control-character',
      'The name cannot contain control characters such as tabs or line breaks.',
      'role name must not contain control characters',
    ),
  ),
  ...['half\ud800', '\udc00lone', '\ude00\ud83d'].map((name) =>
    refused(
      name,
      'unpaired-surrogate',
      'The name contains an incomplete character (half of an emoji or other symbol).',
      'role name must be valid Unicode (it has an unpaired surrogate)',
    ),
  ),
  ...['pg_monitor', 'pg_x'].map((name) =>
    refused(
      name,
      'reserved-prefix',
      'Names starting with "pg_" are reserved by Postgres.',
      `role name "${name}" is reserved`,
    ),
  ),
  ...['neon_superuser', 'cloud_admin', 'zenith_admin', 'public', 'none'].map(reserved),
  ...['.', '..'].map((name) =>
    refused(
      name,
      'dot-segment',
      `"${name}" cannot be used as a name.`,
      `role name "${name}" cannot be used in a URL path`,
    ),
  ),
];

const label = (row: Row) => JSON.stringify(row.name).slice(0, 40);

describe('one set of name rules for the console and the server', () => {
  let api: InProcessApi;
  let rolesPath: string;
  let before: string[];
  const roleNames = async (): Promise<string[]> =>
    (await api.request('GET', rolesPath)).body.roles.map((r: Body) => r.name);

  beforeAll(async () => {
    api = inProcessApi();
    const projectId = (await api.request('GET', '/projects')).body.projects[0].id;
    const branches: Body[] = (await api.request('GET', `/projects/${projectId}/branches`)).body
      .branches;
    rolesPath = `/projects/${projectId}/branches/${branches.find((b) => b.default).id}/roles`;
    before = await roleNames();
  });
  afterAll(() => api.close());

  it.each(ROWS.map((row) => [label(row), row] as const))('%s', async (_label, row) => {
    const problem = roleNameProblem(row.name, new Set(before));
    expect(problem?.kind ?? null).toBe(row.kind);
    if (problem) expect(describeRoleNameProblem(problem, row.name, 'main')).toBe(row.console);

    const res = await api.request('POST', rolesPath, { body: { role: { name: row.name } } });
    if (row.kind === null) {
      expect(res.status, res.text).toBe(201);
      expect(res.body.role.name).toBe(row.name);
      expect(
        (await api.request('DELETE', `${rolesPath}/${encodeURIComponent(row.name)}`)).status,
      ).toBe(200);
    } else {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: '', message: `role.name: ${row.server}` });
    }
    expect(await roleNames()).toEqual(before);
  });

  it('a name already on the branch: the console says so, the server answers 409', async () => {
    const taken = before[0]!;
    const problem = roleNameProblem(taken, new Set(before));
    expect(problem).toEqual({ kind: 'duplicate' });
    expect(describeRoleNameProblem(problem!, taken, 'main')).toBe(
      `A user named "${taken}" already exists on branch main.`,
    );
    const res = await api.request('POST', rolesPath, { body: { role: { name: taken } } });
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(`role ${JSON.stringify(taken)} already exists`);
  });

  it('the byte count is of UTF-8, as Postgres counts it', () => {
    expect([
      utf8ByteLength(''),
      utf8ByteLength('sally'),
      utf8ByteLength('é'),
      utf8ByteLength('用户'),
      utf8ByteLength('🐘'),
    ]).toEqual([0, 5, 2, 6, 4]);
    expect(MAX_NAME_BYTES).toBe(63);
  });
});
