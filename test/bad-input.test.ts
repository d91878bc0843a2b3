// Every bad input a client can send: each is answered with a clear 4xx in Neon's
// `{code, message, request_id}` shape, the server keeps serving, and nothing stored changes.
// Requests go over a real socket with the path sent byte for byte, so no client library
// normalises `..`, `%2e%2e` or stray `%` before the server sees them.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startLocalServer, type LocalServer } from './support/local-server.ts';
import { send as sendRaw, sendBytes as sendRawBytes, type Raw } from './support/raw-http.ts';

vi.setConfig({ testTimeout: 30_000 });

let server: LocalServer;
const ids = { project: '', main: '', dev: '' };

/** Sends `path` exactly as given, with the API key. Without a content type, a body is labelled JSON. */
function send(
  method: string,
  path: string,
  options: { body?: string | Buffer; headers?: Record<string, string>; chunked?: boolean } = {},
): Promise<Raw> {
  return sendRaw(server.url, method, path, {
    ...options,
    headers: { authorization: `Bearer ${server.apiKey}`, ...options.headers },
  });
}

/** Bytes Node's own HTTP client refuses to put in a request line. */
function sendBytes(requestLine: string): Promise<Raw> {
  return sendRawBytes(
    server.url,
    `${requestLine}\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${server.apiKey}`,
  );
}

async function json(method: string, path: string) {
  const res = await send(method, `/api/v2${path}`);
  expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
  return res.text ? JSON.parse(res.text) : undefined;
}

/** Everything stored: every row of every table, tombstones, history and operations included. */
function dump(): Record<string, unknown[]> {
  const db = server.store!.db;
  const tables = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
    .all() as { name: string }[];
  return Object.fromEntries(
    tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2`).all()]),
  );
}

let before: unknown;

beforeAll(async () => {
  // The demo seed: main has casey, sally, reporting (owns analytics), thomas, web_access (protected).
  server = await startLocalServer();
  const { projects } = await json('GET', '/projects');
  ids.project = projects[0].id;
  const { branches } = await json('GET', `/projects/${ids.project}/branches`);
  ids.main = branches.find((b: { default: boolean }) => b.default).id;
  ids.dev = branches.find((b: { name: string }) => b.name === 'dev').id;
  // A user that existed and was deleted, for "delete twice" and "reset a deleted user".
  const roles = `/api/v2/projects/${ids.project}/branches/${ids.main}/roles`;
  expect(
    (await send('POST', roles, { body: JSON.stringify({ role: { name: 'gone' } }) })).status,
  ).toBe(201);
  expect((await send('DELETE', `${roles}/gone`)).status).toBe(200);
  before = dump();
});

afterAll(async () => {
  await server?.close();
});

const project = () => `/api/v2/projects/${ids.project}`;
const roles = (branch = ids.main) => `${project()}/branches/${branch}/roles`;
const branches = () => `${project()}/branches`;
const createRole = (role: unknown) => JSON.stringify({ role });
const name = (n: unknown) => createRole({ name: n });
const dayMs = 86_400_000;

interface Case {
  what: string;
  method: string;
  path: () => string;
  body?: string | Buffer | (() => string);
  headers?: Record<string, string>;
  chunked?: boolean;
  /** Sent as raw bytes (a request line Node's client would refuse). */
  bytes?: boolean;
  status: number;
  /** Part of the message a person reading it needs. */
  says?: RegExp;
}

const cases: Case[] = [
  // Bodies that are not JSON, or not the JSON asked for.
  {
    what: 'malformed JSON',
    method: 'POST',
    path: roles,
    body: '{"role": {"name": "x"',
    status: 400,
    says: /not valid JSON/,
  },
  {
    what: 'JSON followed by garbage',
    method: 'POST',
    path: roles,
    body: '{"role":{"name":"x"}} trailing',
    status: 400,
    says: /JSON/,
  },
  {
    what: 'text/plain content type',
    method: 'POST',
    path: roles,
    body: name('x'),
    headers: { 'content-type': 'text/plain' },
    status: 415,
    says: /JSON/,
  },
  {
    what: 'form-encoded body',
    method: 'POST',
    path: roles,
    body: 'role[name]=x',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
  },
  { what: 'no body at all', method: 'POST', path: roles, body: '', status: 400 },
  { what: 'JSON null', method: 'POST', path: roles, body: 'null', status: 400 },
  { what: 'a JSON array', method: 'POST', path: roles, body: '[]', status: 400 },
  { what: 'a JSON string', method: 'POST', path: roles, body: '"sally"', status: 400 },
  { what: 'missing role', method: 'POST', path: roles, body: '{}', status: 400, says: /role/ },
  {
    what: 'role is a string',
    method: 'POST',
    path: roles,
    body: '{"role":"x"}',
    status: 400,
    says: /role/,
  },
  {
    what: 'role without a name',
    method: 'POST',
    path: roles,
    body: '{"role":{}}',
    status: 400,
    says: /name/,
  },
  {
    what: 'deeply nested JSON',
    method: 'POST',
    path: roles,
    body: `{"role":${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
    status: 400,
  },
  {
    what: 'body that is not UTF-8',
    method: 'POST',
    path: roles,
    body: Buffer.concat([
      Buffer.from('{"role":{"name":"x'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}}'),
    ]),
    status: 400,
    says: /UTF-8/,
  },
  {
    what: 'no_login of the wrong type',
    method: 'POST',
    path: roles,
    body: createRole({ name: 'x', no_login: 'yes' }),
    status: 400,
    says: /no_login/,
  },
  // Names of the wrong type or shape.
  {
    what: 'name is a number',
    method: 'POST',
    path: roles,
    body: name(42),
    status: 400,
    says: /name/,
  },
  {
    what: 'name is null',
    method: 'POST',
    path: roles,
    body: name(null),
    status: 400,
    says: /name/,
  },
  {
    what: 'name is an array',
    method: 'POST',
    path: roles,
    body: name(['x']),
    status: 400,
    says: /name/,
  },
  {
    what: 'name is an object',
    method: 'POST',
    path: roles,
    body: name({ first: 'x' }),
    status: 400,
    says: /name/,
  },
  {
    what: 'name is a boolean',
    method: 'POST',
    path: roles,
    body: name(true),
    status: 400,
    says: /name/,
  },
  { what: 'empty name', method: 'POST', path: roles, body: name(''), status: 400, says: /empty/ },
  {
    what: 'name of spaces only',
    method: 'POST',
    path: roles,
    body: name('   '),
    status: 400,
    says: /white space/,
  },
  {
    what: '64 bytes of 1-byte characters',
    method: 'POST',
    path: roles,
    body: name('a'.repeat(64)),
    status: 400,
    says: /64 bytes/,
  },
  {
    what: '64 bytes of 2-byte characters',
    method: 'POST',
    path: roles,
    body: name('é'.repeat(32)),
    status: 400,
    says: /64 bytes/,
  },
  {
    what: '64 bytes with 3-byte characters',
    method: 'POST',
    path: roles,
    body: name(`${'€'.repeat(21)}a`),
    status: 400,
    says: /64 bytes/,
  },
  {
    what: '64 bytes of 4-byte characters',
    method: 'POST',
    path: roles,
    body: name('😀'.repeat(16)),
    status: 400,
    says: /64 bytes/,
  },
  {
    what: '64 bytes with combining marks',
    method: 'POST',
    path: roles,
    body: name(`${'e\u0301'.repeat(21)}x`),
    status: 400,
    says: /64 bytes/,
  },
  {
    what: 'NUL in the name',
    method: 'POST',
    path: roles,
    body: name('a\u0000b'),
    status: 400,
    says: /control/,
  },
  {
    what: 'newline in the name',
    method: 'POST',
    path: roles,
    body: name('a\nb'),
    status: 400,
    says: /control/,
  },
  {
    what: 'tab in the name',
    method: 'POST',
    path: roles,
    body: name('a\tb'),
    status: 400,
    says: /control/,
  },
  {
    what: 'escape sequence in the name',
    method: 'POST',
    path: roles,
    body: name('\u001b[31mred'),
    status: 400,
    says: /control/,
  },
  {
    what: 'DEL in the name',
    method: 'POST',
    path: roles,
    body: name('a\u007f'),
    status: 400,
    says: /control/,
  },
  {
    what: 'unpaired surrogate in the name',
    method: 'POST',
    path: roles,
    body: '{"role":{"name":"y\\ud800"}}',
    status: 400,
    says: /Unicode/,
  },
  {
    what: 'reserved pg_ prefix',
    method: 'POST',
    path: roles,
    body: name('pg_monitor'),
    status: 400,
    says: /reserved/,
  },
  ...['neon_superuser', 'cloud_admin', 'zenith_admin', 'public', 'none'].map((reserved): Case => ({
    what: `reserved name ${reserved}`,
    method: 'POST',
    path: roles,
    body: name(reserved),
    status: 400,
    says: /reserved/,
  })),
  {
    what: 'name "." (a dot segment in any URL)',
    method: 'POST',
    path: roles,
    body: name('.'),
    status: 400,
  },
  { what: 'name ".."', method: 'POST', path: roles, body: name('..'), status: 400 },
  {
    what: 'a name that exists',
    method: 'POST',
    path: roles,
    body: name('casey'),
    status: 409,
    says: /casey/,
  },
  // Too big.
  {
    what: 'a 10 MB body',
    method: 'POST',
    path: roles,
    body: name('x'.repeat(10 * 1024 * 1024)),
    status: 413,
  },
  {
    what: 'a 10 MB body without Content-Length',
    method: 'POST',
    path: roles,
    body: name('x'.repeat(10 * 1024 * 1024)),
    chunked: true,
    status: 413,
  },
  {
    what: 'an 8 KB URL',
    method: 'GET',
    path: () => `${roles()}/${'x'.repeat(8 * 1024)}`,
    status: 404,
  },
  {
    what: 'a 20 KB URL',
    method: 'GET',
    path: () => `${roles()}/${'x'.repeat(20 * 1024)}`,
    status: 431,
  },
  {
    what: 'a control character in the request line',
    method: 'GET',
    path: () => `${roles()}/a\u0001b`,
    bytes: true,
    status: 400,
  },
  // Names with URL syntax in paths; none of these users exists.
  {
    what: 'encoded slash in a role name',
    method: 'DELETE',
    path: () => `${roles()}/a%2Fb`,
    status: 404,
  },
  {
    what: 'encoded ? in a role name',
    method: 'DELETE',
    path: () => `${roles()}/a%3Fb`,
    status: 404,
  },
  {
    what: 'encoded # in a role name',
    method: 'POST',
    path: () => `${roles()}/a%23b/reset_password`,
    status: 404,
  },
  {
    what: 'encoded % in a role name',
    method: 'DELETE',
    path: () => `${roles()}/100%25`,
    status: 404,
  },
  { what: 'a bare % in the path', method: 'DELETE', path: () => `${roles()}/%`, status: 404 },
  {
    what: 'broken percent-encoding',
    method: 'DELETE',
    path: () => `${roles()}/%E0%A4%A`,
    status: 404,
  },
  {
    what: 'encoded NUL in a role name',
    method: 'DELETE',
    path: () => `${roles()}/a%00b`,
    status: 404,
  },
  {
    what: '".." as a role name (dev branch)',
    method: 'DELETE',
    path: () => `${roles(ids.dev)}/..`,
    status: 404,
  },
  {
    what: '"%2e%2e" as a role name (dev branch)',
    method: 'DELETE',
    path: () => `${roles(ids.dev)}/%2e%2e`,
    status: 404,
  },
  {
    what: '"../.." after roles',
    method: 'DELETE',
    path: () => `${roles(ids.dev)}/../..`,
    status: 404,
  },
  // Things that do not exist.
  {
    what: 'unknown project',
    method: 'GET',
    path: () => '/api/v2/projects/no-such-project-1',
    status: 404,
    says: /project/,
  },
  {
    what: 'unknown branch',
    method: 'POST',
    path: () => `${branches()}/br-no-such-branch-00000000/roles`,
    body: name('x'),
    status: 404,
    says: /branch/,
  },
  {
    what: 'unknown role',
    method: 'GET',
    path: () => `${roles()}/nobody`,
    status: 404,
    says: /^role not found for branch; /,
  },
  {
    what: 'reset of an unknown role',
    method: 'POST',
    path: () => `${roles()}/nobody/reset_password`,
    status: 404,
    says: /^role not found for branch; /,
  },
  {
    what: 'unknown operation',
    method: 'GET',
    path: () => `${project()}/operations/00000000-0000-0000-0000-000000000000`,
    status: 404,
    says: /operation/,
  },
  {
    what: 'deleting a deleted user again',
    method: 'DELETE',
    path: () => `${roles()}/gone`,
    status: 204,
  },
  {
    what: 'reset of a deleted user',
    method: 'POST',
    path: () => `${roles()}/gone/reset_password`,
    status: 404,
    says: /^role not found for branch; /,
  },
  // Points in time.
  {
    what: 'parent_lsn that is not an LSN',
    method: 'POST',
    path: branches,
    body: JSON.stringify({ branch: { parent_lsn: 'xyz' } }),
    status: 400,
    says: /parent_lsn/,
  },
  {
    what: 'parent_lsn half written',
    method: 'POST',
    path: branches,
    body: JSON.stringify({ branch: { parent_lsn: '0/' } }),
    status: 400,
    says: /parent_lsn/,
  },
  {
    what: 'parent_lsn beyond the branch',
    method: 'POST',
    path: branches,
    body: JSON.stringify({ branch: { parent_lsn: 'FFFF/FFFFFFFF' } }),
    status: 400,
    says: /parent_lsn/,
  },
  {
    what: 'parent_timestamp that is not a time',
    method: 'POST',
    path: branches,
    body: JSON.stringify({ branch: { parent_timestamp: 'yesterday' } }),
    status: 400,
    says: /parent_timestamp/,
  },
  {
    what: 'parent_timestamp with month 13',
    method: 'POST',
    path: branches,
    body: JSON.stringify({ branch: { parent_timestamp: '2024-13-01T00:00:00Z' } }),
    status: 400,
    says: /parent_timestamp/,
  },
  {
    what: 'parent_timestamp in the future',
    method: 'POST',
    path: branches,
    body: () =>
      JSON.stringify({ branch: { parent_timestamp: new Date(Date.now() + dayMs).toISOString() } }),
    status: 400,
    says: /future/,
  },
  {
    what: 'parent_timestamp before the branch existed',
    method: 'POST',
    path: branches,
    body: JSON.stringify({ branch: { parent_timestamp: '2000-01-01T00:00:00Z' } }),
    status: 400,
    says: /parent_timestamp/,
  },
  {
    what: 'both parent_lsn and parent_timestamp',
    method: 'POST',
    path: branches,
    body: JSON.stringify({
      branch: { parent_lsn: '0/0', parent_timestamp: '2024-01-01T00:00:00Z' },
    }),
    status: 400,
    says: /not both/,
  },
  {
    what: 'unknown parent branch',
    method: 'POST',
    path: branches,
    body: JSON.stringify({ branch: { parent_id: 'br-no-such-branch-00000000' } }),
    status: 404,
  },
  {
    what: 'parent_id with path syntax',
    method: 'POST',
    path: branches,
    body: JSON.stringify({ branch: { parent_id: '../x' } }),
    status: 400,
    says: /parent_id/,
  },
  {
    what: 'branch name over 256 characters',
    method: 'POST',
    path: branches,
    body: JSON.stringify({ branch: { name: 'b'.repeat(300) } }),
    status: 400,
    says: /name/,
  },
  // Rules of the data.
  {
    what: 'delete the protected role',
    method: 'DELETE',
    path: () => `${roles()}/web_access`,
    status: 422,
    says: /protected/,
  },
  {
    what: 'reset the protected role',
    method: 'POST',
    path: () => `${roles()}/web_access/reset_password`,
    status: 422,
    says: /protected/,
  },
  {
    what: 'delete a role that owns a database',
    method: 'DELETE',
    path: () => `${roles()}/reporting`,
    status: 422,
    says: /analytics/,
  },
  {
    what: 'delete the default branch',
    method: 'DELETE',
    path: () => `${branches()}/${ids.main}`,
    status: 422,
    says: /default/,
  },
  {
    what: 'database without an owner',
    method: 'POST',
    path: () => `${branches()}/${ids.main}/databases`,
    body: JSON.stringify({ database: { name: 'x' } }),
    status: 400,
    says: /owner/,
  },
  {
    what: 'database owned by nobody',
    method: 'POST',
    path: () => `${branches()}/${ids.main}/databases`,
    body: JSON.stringify({ database: { name: 'x', owner_name: 'nobody' } }),
    status: 400,
    says: /nobody/,
  },
  {
    what: 'project with an unknown Postgres version',
    method: 'POST',
    path: () => '/api/v2/projects',
    body: JSON.stringify({ project: { pg_version: 99 } }),
    status: 400,
    says: /pg_version/,
  },
  // Query strings, methods, keys.
  {
    what: 'limit that is not a number',
    method: 'GET',
    path: () => `${project()}/operations?limit=abc`,
    status: 400,
    says: /limit/,
  },
  {
    what: 'limit 0',
    method: 'GET',
    path: () => `${project()}/operations?limit=0`,
    status: 400,
    says: /limit/,
  },
  {
    what: 'limit far too high',
    method: 'GET',
    path: () => '/api/v2/projects?limit=100000',
    status: 400,
    says: /limit/,
  },
  {
    what: 'a method Neon does not have here',
    method: 'PUT',
    path: roles,
    body: name('x'),
    status: 405,
  },
  {
    what: 'no API key',
    method: 'POST',
    path: roles,
    body: name('x'),
    headers: { authorization: '' },
    status: 401,
  },
  {
    what: 'a wrong API key',
    method: 'DELETE',
    path: () => `${roles()}/casey`,
    headers: { authorization: 'Bearer not-the-key' },
    status: 401,
  },
];

it('has at least 40 cases', () => {
  expect(cases.length).toBeGreaterThanOrEqual(40);
});

it.each(cases.map((c) => [c.what, c] as const))(
  '%s: a clear answer, nothing changed',
  async (_what, c) => {
    const body = typeof c.body === 'function' ? c.body() : c.body;
    const res = c.bytes
      ? await sendBytes(`${c.method} ${c.path()} HTTP/1.1`)
      : await send(c.method, c.path(), { body, headers: c.headers, chunked: c.chunked });

    expect(res.status, res.text.slice(0, 300)).toBe(c.status);
    if (c.status >= 400) {
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const error = JSON.parse(res.text);
      expect(error).toEqual({
        // Neon's generic errors carry an empty code (its upper-case ones are for limits and passwords).
        code: '',
        message: expect.any(String),
        request_id: expect.any(String),
      });
      expect(error.message.length).toBeGreaterThan(5);
      if (c.says) expect(error.message).toMatch(c.says);
    } else {
      expect(res.text).toBe('');
    }
    // What is stored is exactly what it was, and the server still answers.
    expect(dump()).toEqual(before);
    expect((await send('GET', '/api/v2/users/me')).status).toBe(200);
  },
);
