// Branches through the API with real Postgres (NEON_LOCAL_COMPUTES=1): the parent_lsn the API
// reports is a real WAL position of the parent, and a branch made there holds exactly what
// the parent had committed before it, whatever the parent wrote after the request.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Body } from './support/api.ts';
import { computesSuite, finished } from './support/computes.ts';
import { query, type Login } from './support/pg-login.ts';

const suite = computesSuite('branches');

/** `X/X` as a number that orders like the WAL (both halves are 32 bits). */
const lsn = (text: string) => {
  const [high, low] = text.split('/');
  return BigInt(`0x${high}`) * 2n ** 32n + BigInt(`0x${low}`);
};

const walPosition = async () =>
  (await query<{ lsn: string }>(suite.owner, 'SELECT pg_current_wal_lsn()::text AS lsn'))[0]!.lsn;

const rowsOf = async (login: Login) =>
  (await query<{ n: number }>(login, 'SELECT n FROM t ORDER BY n')).map((r) => r.n);

async function createBranch(branch: Record<string, string>): Promise<Body> {
  const res = await suite.api.request('POST', `/projects/${suite.projectId}/branches`, {
    body: { branch: { parent_id: suite.branchId, ...branch }, endpoints: [{ type: 'read_write' }] },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** Waits for the branch's operations, then logs in to it as the parent's owner. */
async function loginTo(created: Body): Promise<Login> {
  await finished(suite.api, suite.projectId, created.operations);
  return { ...suite.owner, host: created.endpoints[0].host };
}

const getBranch = async (id: string) =>
  (await suite.api.request('GET', `/projects/${suite.projectId}/branches/${id}`)).body.branch;

beforeAll(() => query(suite.owner, 'CREATE TABLE t (n int); INSERT INTO t VALUES (1)'));

describe('branch LSNs with computes on', { timeout: 120_000 }, () => {
  let headLsn: string;

  it("from the head: parent_lsn is the parent's WAL position at the request; a row the parent commits after the answer is not in the branch", async () => {
    const before = await walPosition();
    const created = await createBranch({ name: 'at-head' });
    // Written while the branch's operation may not even have started.
    await query(suite.owner, 'INSERT INTO t VALUES (2)');
    const after = await walPosition();
    headLsn = created.branch.parent_lsn;
    expect(headLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(lsn(headLsn)).toBeGreaterThanOrEqual(lsn(before));
    expect(lsn(headLsn)).toBeLessThan(lsn(after));
    const child = await loginTo(created);
    expect(await rowsOf(child)).toEqual([1]);
    expect((await getBranch(created.branch.id)).parent_lsn).toBe(headLsn);
  });

  it('at a parent_lsn taken from the API: exactly the rows and roles up to it, the later ones absent', async () => {
    const late = await suite.api.request(
      'POST',
      `/projects/${suite.projectId}/branches/${suite.branchId}/roles`,
      {
        body: { role: { name: 'late' } },
      },
    );
    await finished(suite.api, suite.projectId, late.body.operations);
    const created = await createBranch({ name: 'at-api-lsn', parent_lsn: headLsn });
    expect(created.branch.parent_lsn).toBe(headLsn);
    expect(created.roles.map((r: { name: string }) => r.name)).not.toContain('late');
    const child = await loginTo(created);
    expect(await rowsOf(child)).toEqual([1]);
    const roles = await query(child, "SELECT 1 FROM pg_roles WHERE rolname = 'late'");
    expect(roles).toEqual([]);
    expect((await getBranch(created.branch.id)).parent_lsn).toBe(headLsn);
  });

  it("at a parent_lsn read from the parent's Postgres: the row committed before it is there, the one after is not", async () => {
    const point = await walPosition();
    await query(suite.owner, 'INSERT INTO t VALUES (3)');
    const created = await createBranch({ name: 'at-sql-lsn', parent_lsn: point });
    expect(created.branch.parent_lsn).toBe(point);
    expect(await rowsOf(await loginTo(created))).toEqual([1, 2]);
  });

  it("a branch of a branch made at a point, at a point of the child's own history: the replay crosses from the parent's WAL to the child's", async () => {
    const made = await createBranch({ name: 'mid', parent_lsn: await walPosition() });
    const mid = await loginTo(made);
    await query(mid, 'INSERT INTO t VALUES (10)');
    const point = (
      await query<{ lsn: string }>(mid, 'SELECT pg_current_wal_lsn()::text AS lsn')
    )[0]!.lsn;
    await query(mid, 'INSERT INTO t VALUES (11)');
    const res = await suite.api.request('POST', `/projects/${suite.projectId}/branches`, {
      body: {
        branch: { parent_id: made.branch.id, parent_lsn: point },
        endpoints: [{ type: 'read_write' }],
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await rowsOf(await loginTo(res.body))).toEqual([1, 2, 3, 10]);
    expect(await rowsOf(mid)).toEqual([1, 2, 3, 10, 11]);
  });

  it('at a parent_timestamp: parent_lsn is reported once the compute has replayed to it, a real position before the later row', async () => {
    const moment = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await query(suite.owner, 'INSERT INTO t VALUES (4)');
    const after = await walPosition();
    const created = await createBranch({ name: 'at-time', parent_timestamp: moment });
    const child = await loginTo(created);
    expect(await rowsOf(child)).toEqual([1, 2, 3]);
    const reported = (await getBranch(created.branch.id)).parent_lsn;
    expect(lsn(reported)).toBeGreaterThan(lsn(headLsn));
    expect(lsn(reported)).toBeLessThan(lsn(after));
  });

  it("refuses a parent_lsn outside the parent's real history, and makes no branch", async () => {
    const count = async () =>
      (await suite.api.request('GET', `/projects/${suite.projectId}/branches`)).body.branches
        .length;
    const before = await count();
    for (const parent_lsn of ['0/1', 'FFFF/0']) {
      const res = await suite.api.request('POST', `/projects/${suite.projectId}/branches`, {
        body: { branch: { parent_id: suite.branchId, parent_lsn } },
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/outside the history/);
    }
    expect(await count()).toBe(before);
  });
});

describe(
  'the history window (history_retention_seconds) with computes on',
  { timeout: 120_000 },
  () => {
    const WINDOW_S = 2;
    const pastWindow = () => new Promise((resolve) => setTimeout(resolve, WINDOW_S * 1000 + 300));

    it('keeps the archive to the window at each suspend, and refuses points before it', async () => {
      const created = await suite.api.request('POST', '/projects', {
        body: {
          project: {
            name: 'short-history',
            history_retention_seconds: WINDOW_S,
            branch: { role_name: 'app_owner' },
          },
        },
      });
      expect(created.status).toBe(201);
      const id = created.body.project.id;
      const main = created.body.branch.id;
      const endpointId = created.body.endpoints[0].id;
      await finished(suite.api, id, created.body.operations);
      const login: Login = {
        host: created.body.endpoints[0].host,
        user: 'app_owner',
        password: created.body.roles.find((r: { name: string }) => r.name === 'app_owner').password,
        database: 'neondb',
      };
      const position = async () =>
        (await query<{ lsn: string }>(login, 'SELECT pg_current_wal_lsn()::text AS lsn'))[0]!.lsn;
      const suspend = async () => {
        const res = await suite.api.request(
          'POST',
          `/projects/${id}/endpoints/${endpointId}/suspend`,
        );
        await finished(suite.api, id, res.body.operations);
      };
      const archive = path.join(suite.dataDir, 'computes', main, 'wal-archive');
      const segments = () =>
        fs
          .readdirSync(archive)
          .filter((f) => /^[0-9A-F]{24}$/.test(f))
          .sort();

      // 1 MB segments: a few of them before the window, filled with rows.
      await query(login, 'CREATE TABLE t (n int)');
      await query(login, 'INSERT INTO t SELECT 1 FROM generate_series(1, 50000)');
      const early = await position();
      const earlyMoment = new Date().toISOString();
      const before = segments();
      await pastWindow();
      await suspend(); // base/ has left the window: a newer copy is taken
      await query(login, 'INSERT INTO t VALUES (2)');
      await pastWindow();
      await suspend(); // that copy has left the window too: the history now begins there
      const after = segments();
      expect(after.length).toBeLessThan(before.length);
      expect(after).not.toContain(before[0]);

      // A point in the window is still reached, from the newer copy and what is left of the archive.
      await query(login, 'INSERT INTO t VALUES (3)');
      const inWindow = await position();
      await query(login, 'INSERT INTO t VALUES (4)');
      for (const branch of [{ parent_lsn: early }, { parent_timestamp: earlyMoment }]) {
        const res = await suite.api.request('POST', `/projects/${id}/branches`, {
          body: { branch: { parent_id: main, ...branch } },
        });
        expect(res.status, JSON.stringify(branch)).toBe(400);
        expect(res.body.message).toMatch(/outside the history|history retention window/);
      }
      const res = await suite.api.request('POST', `/projects/${id}/branches`, {
        body: {
          branch: { parent_id: main, parent_lsn: inWindow },
          endpoints: [{ type: 'read_write' }],
        },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      await finished(suite.api, id, res.body.operations);
      const rows = await query<{ n: number; count: string }>(
        { ...login, host: res.body.endpoints[0].host },
        'SELECT n, count(*) FROM t GROUP BY n ORDER BY n',
      );
      expect(rows.map((r) => [r.n, Number(r.count)])).toEqual([
        [1, 50000],
        [2, 1],
        [3, 1],
      ]);
    });
  },
);
