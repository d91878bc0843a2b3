import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fsync } from '../server/local/store/group-commit.ts';
import { inProcessApi, type InProcessApi } from './support/api.ts';
import { startLocalServer, type LocalServer } from './support/local-server.ts';
import {
  cannotMount,
  mountSmallFilesystem,
  type FilesystemKind,
  type SmallFilesystem,
} from './support/small-filesystem.ts';

/**
 * The data directory on a small filesystem that fills up: every write answers 507 in Neon's
 * shape and changes nothing, reads keep working, nothing stored is lost or damaged, and
 * writes work again once space is back (and after a restart).
 */

type Json = Record<string, unknown>;

interface Answer {
  status: number;
  body: Json;
}

const DB_FILE = 'neon-local.sqlite';

for (const kind of ['tmpfs', 'ext4'] as FilesystemKind[]) {
  const reason = cannotMount(kind);
  if (reason) console.warn(`disk-full test on ${kind} skipped: cannot mount one here (${reason})`);

  describe.skipIf(reason !== undefined)(`a full ${kind} under the data directory`, () => {
    let fsys: SmallFilesystem | undefined;
    let server: LocalServer | undefined;
    const logs: string[] = [];

    beforeAll(() => {
      fsys = mountSmallFilesystem(kind, kind === 'tmpfs' ? 4 : 8);
    });

    afterAll(async () => {
      await server?.close();
      fsys?.remove();
    });

    const dataDir = () => path.join(fsys!.dir, 'data');
    const start = async () => {
      server = await startLocalServer(
        { NEON_LOCAL_DATA_DIR: dataDir(), NEON_LOCAL_SEED: '1' },
        (line) => logs.push(line),
      );
    };

    async function call(method: string, apiPath: string, body?: unknown): Promise<Answer> {
      const res = await fetch(`${server!.url}/api/v2${apiPath}`, {
        method,
        headers: {
          authorization: `Bearer ${server!.apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
    }

    async function ok(method: string, apiPath: string, body?: unknown): Promise<Json> {
      const answer = await call(method, apiPath, body);
      expect(answer.status, `${method} ${apiPath}: ${JSON.stringify(answer.body)}`).toBeLessThan(
        300,
      );
      return answer.body;
    }

    /** Everything stored: every row of every table, read through a connection of our own. */
    function everyRow(): Record<string, unknown[]> {
      const db = new Database(path.join(dataDir(), DB_FILE), { readonly: true });
      try {
        const tables = db
          .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
          .all() as { name: string }[];
        return Object.fromEntries(
          tables.map(({ name }) => [
            name,
            db.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2`).all(),
          ]),
        );
      } finally {
        db.close();
      }
    }

    function integrity(): string {
      const db = new Database(path.join(dataDir(), DB_FILE), { readonly: true });
      try {
        return (db.pragma('integrity_check') as { integrity_check: string }[])
          .map((r) => r.integrity_check)
          .join('; ');
      } finally {
        db.close();
      }
    }

    it('refuses writes with 507 and changes nothing, keeps serving reads, and writes again once space is back', async () => {
      await start();
      const { projects } = (await ok('GET', '/projects')) as { projects: { id: string }[] };
      const projectId = projects[0]!.id;
      const { branches } = (await ok('GET', `/projects/${projectId}/branches`)) as {
        branches: { id: string; default: boolean }[];
      };
      const branchId = branches.find((b) => b.default)!.id;
      const roles = `/projects/${projectId}/branches/${branchId}/roles`;

      // Users whose passwords we know, to reset and delete while the disk is full.
      const passwords = new Map<string, string>();
      const createUser = async (name: string) => {
        const answer = await call('POST', roles, { role: { name } });
        if (answer.status === 201)
          passwords.set(name, (answer.body.role as Json).password as string);
        return answer;
      };
      const deletable = Array.from({ length: 10 }, (_, i) => `to-delete-${i}`);
      for (const name of ['before-1', 'before-3', ...deletable]) {
        expect((await createUser(name)).status).toBe(201);
      }
      let n = 0;

      fsys!.fill();
      expect(fsys!.available()).toBe(0);

      // Every kind of write: each answers either as usual (it still fitted: then it holds)
      // or 507, and a 507 leaves every row as it was.
      const writes: [string, () => Promise<Answer>][] = [
        ['create a user', () => createUser(`full-${n++}`)],
        ['reset a password', () => call('POST', `${roles}/before-1/reset_password`)],
        ['delete a user', () => call('DELETE', `${roles}/${deletable[0]}`)],
        [
          'create a database',
          () =>
            call('POST', `/projects/${projectId}/branches/${branchId}/databases`, {
              database: { name: `db-${n++}`, owner_name: 'before-3' },
            }),
        ],
        [
          'create a branch',
          () =>
            call('POST', `/projects/${projectId}/branches`, {
              branch: { name: `while-full-${n++}` },
              endpoints: [{ type: 'read_write' }],
            }),
        ],
        ['create a project', () => call('POST', '/projects', { project: { name: 'while-full' } })],
      ];
      const refused = new Map<string, Answer>();
      // Until the disk refuses each kind of write, or clearly does not need to.
      for (let round = 0; round < 200 && refused.size < writes.length; round++) {
        for (const [what, write] of writes) {
          if (refused.has(what)) continue;
          const before = everyRow();
          const answer = await write();
          if (answer.status === 507) {
            refused.set(what, answer);
            expect(everyRow(), `${what} refused, yet something changed`).toEqual(before);
          } else {
            expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
            if (what === 'reset a password') {
              passwords.set('before-1', (answer.body.role as Json).password as string);
            }
            if (what === 'delete a user') passwords.delete(deletable.shift()!);
          }
        }
      }
      expect([...refused.keys()].sort()).toEqual(writes.map(([what]) => what).sort());
      for (const [, answer] of refused) {
        expect(answer.body).toEqual({
          code: '',
          message: expect.stringMatching(/disk is full.*the change was not made/),
          request_id: expect.any(String),
        });
      }
      // No write was an unexplained 500 (the server logs those).
      expect(logs.filter((line) => line.startsWith('error'))).toEqual([]);

      // Reads go on, and show every acknowledged user with its password.
      const listed = (await ok('GET', roles)) as { roles: { name: string }[] };
      expect(listed.roles.map((r) => r.name)).toEqual(
        expect.arrayContaining([...passwords.keys()]),
      );
      for (const [name, password] of passwords) {
        const revealed = await ok('GET', `${roles}/${encodeURIComponent(name)}/reveal_password`);
        expect(revealed.password, name).toBe(password);
      }
      await ok('GET', `/projects/${projectId}/operations`);
      expect(integrity()).toBe('ok');

      // Space is back: writes work at once, without a restart.
      fsys!.free();
      expect((await createUser('after-space')).status).toBe(201);
      const reset = await ok('POST', `${roles}/after-space/reset_password`);
      passwords.set('after-space', (reset.role as Json).password as string);
      await ok('DELETE', `${roles}/before-3`);
      passwords.delete('before-3');

      // And a restart finds every row as it was and the same users.
      const stored = everyRow();
      await server!.close();
      server = undefined;
      expect(integrity()).toBe('ok');
      await start();
      expect(everyRow()).toEqual(stored);
      const relisted = (await ok('GET', roles)) as { roles: { name: string }[] };
      expect(relisted.roles.map((r) => r.name)).not.toContain('before-3');
      for (const [name, password] of passwords) {
        const revealed = await ok('GET', `${roles}/${encodeURIComponent(name)}/reveal_password`);
        expect(revealed.password, name).toBe(password);
      }
      for (const password of passwords.values()) {
        expect(logs.join('\n')).not.toContain(password);
      }
    }, 60_000);
  });
}

/**
 * The disk fills between a commit and its fsync (a filesystem that allocates at writeback:
 * thin provisioning, NFS, quotas): the group commit's fdatasync fails with ENOSPC. That is
 * the store's storage-full refusal too, never a 500, and what was acknowledged before holds.
 */
describe('an fsync of the WAL that fails for want of space', () => {
  let dataDir: string;
  let api: InProcessApi | undefined;
  /** While set, the next fsyncs fail with this code instead of syncing. */
  let failWith: string | undefined;
  const fsync: Fsync = (fd, done) => {
    if (failWith) done(Object.assign(new Error(`${failWith}: fdatasync`), { code: failWith }));
    else fs.fdatasync(fd, done);
  };
  const open = () => {
    api = inProcessApi({ NEON_LOCAL_DATA_DIR: dataDir, NEON_LOCAL_SEED: '1' }, { fsync });
    return api;
  };

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-fsync-full-'));
  });
  afterAll(async () => {
    await api?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 507 in Neon’s shape (not 500); acknowledged users, passwords and rows hold, also after a restart', async () => {
    const first = open();
    const { projects } = (await first.request('GET', '/projects')).body;
    const projectId: string = projects[0].id;
    const branchId: string = (await first.request('GET', `/projects/${projectId}/branches`)).body
      .branches[0].id;
    const roles = `/projects/${projectId}/branches/${branchId}/roles`;
    const acknowledged = new Map<string, string>();
    for (const name of ['before-a', 'before-b']) {
      const created = await first.request('POST', roles, { body: { role: { name } } });
      expect(created.status).toBe(201);
      acknowledged.set(name, created.body.role.password);
    }
    const reset = await first.request('POST', `${roles}/before-a/reset_password`);
    expect(reset.status).toBe(200);
    acknowledged.set('before-a', reset.body.role.password);

    // Each refused change's fate is unknown, as the answer says (it committed, but may not be
    // on disk): before-b's password is no longer one the test can expect.
    acknowledged.delete('before-b');
    failWith = 'ENOSPC';
    for (const [method, apiPath, body] of [
      ['POST', roles, { role: { name: 'during' } }],
      ['POST', `${roles}/before-b/reset_password`, undefined],
      ['DELETE', `${roles}/casey`, undefined],
    ] as const) {
      const answer = await first.request(method, apiPath, body === undefined ? {} : { body });
      expect(answer.status, `${method} ${apiPath}: ${answer.text}`).toBe(507);
      expect(answer.body).toEqual({
        code: '',
        message: expect.stringMatching(
          /disk is full: the change could not be confirmed on disk and may be lost/,
        ),
        request_id: expect.any(String),
      });
    }
    failWith = 'EDQUOT';
    const quota = await first.request('POST', roles, { body: { role: { name: 'over-quota' } } });
    expect(quota.status).toBe(507);
    failWith = undefined;

    // Reads are served, and every acknowledged user has its acknowledged password.
    const check = async (api: InProcessApi) => {
      const listed = await api.request('GET', roles);
      expect(listed.status).toBe(200);
      const names = listed.body.roles.map((r: { name: string }) => r.name);
      expect(names).toEqual(expect.arrayContaining([...acknowledged.keys()]));
      for (const [name, password] of acknowledged) {
        const revealed = await api.request('GET', `${roles}/${name}/reveal_password`);
        expect(revealed.body.password, name).toBe(password);
      }
    };
    await check(first);
    // Writes work again once syncs do, and are acknowledged as before.
    const after = await first.request('POST', roles, { body: { role: { name: 'after' } } });
    expect(after.status).toBe(201);
    acknowledged.set('after', after.body.role.password);

    await first.close();
    api = undefined;
    const db = new Database(path.join(dataDir, DB_FILE), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    await check(open());
  });
});
