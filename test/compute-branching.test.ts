import { beforeAll, describe, expect, it } from 'vitest';
import { BranchPointError } from '../server/compute/compute-manager.ts';
import { login, loginError, queryAs } from './support/compute-helpers.ts';
import { engineSuite } from './support/engine-suite.ts';

const engine = engineSuite();

// One parent for the file; each test branches from it and checks what a client sees.
const PARENT = 'br-parent';
const OWNER = { name: 'owner', password: 'owner-pw-Aa9' };
let parentPort: number;
/** The parent's history: a point after "before", then a row and a role added after it. */
let pointLsn: string;
let pointTime: string;

async function rows(port: number): Promise<string[]> {
  const result = await queryAs<{ v: string }>(
    port,
    OWNER.name,
    OWNER.password,
    'select v from items order by v',
    'app',
  );
  return result.map((row) => row.v);
}

beforeAll(async () => {
  parentPort = await engine.rootBranch(PARENT);
  await engine.manager.apply(PARENT, {
    roles: [OWNER],
    databases: [{ name: 'app', owner: OWNER.name }],
  });
  const client = await login(parentPort, OWNER.name, OWNER.password, 'app');
  await client.query('create table items (v text primary key)');
  await client.query("insert into items values ('before')");
  await client.end();

  pointLsn = await engine.manager.currentLsn(PARENT);
  pointTime = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));

  const later = await login(parentPort, OWNER.name, OWNER.password, 'app');
  await later.query("insert into items values ('after')");
  await later.end();
  await engine.manager.apply(PARENT, {
    roles: [OWNER, { name: 'later_role', password: 'later-pw-Aa9' }],
    databases: [],
  });
}, 120_000);

describe('branches are real copies', { timeout: 120_000 }, () => {
  it('from the head: rows, roles and passwords of the parent, at a real LSN', async () => {
    const { lsn } = await engine.manager.createBranch('br-head', { parent: PARENT });
    expect(lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(engine.manager.state('br-head')).toBe('active');
    const port = await engine.endpoint('br-head');
    expect(await rows(port)).toEqual(['after', 'before']);
    expect(await loginError(port, 'later_role', 'later-pw-Aa9')).toBeUndefined();
  });

  it('at an LSN: the later row and the later role are absent', async () => {
    const { lsn } = await engine.manager.createBranch('br-at-lsn', {
      parent: PARENT,
      atLsn: pointLsn,
    });
    expect(lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    const port = await engine.endpoint('br-at-lsn');
    expect(await rows(port)).toEqual(['before']);
    expect(await loginError(port, 'later_role', 'later-pw-Aa9')).toMatch(/password authentication/);
    expect((await engine.manager.listRoles('br-at-lsn')).map((r) => r.name)).not.toContain(
      'later_role',
    );
  });

  it('at a timestamp: the later row and the later role are absent', async () => {
    await engine.manager.createBranch('br-at-time', { parent: PARENT, atTimestamp: pointTime });
    const port = await engine.endpoint('br-at-time');
    expect(await rows(port)).toEqual(['before']);
    expect(await loginError(port, 'later_role', 'later-pw-Aa9')).toMatch(/password authentication/);
  });

  it('branches are independent of their parent and of each other', async () => {
    await engine.manager.createBranch('br-solo', { parent: PARENT });
    const port = await engine.endpoint('br-solo');
    const child = await login(port, OWNER.name, OWNER.password, 'app');
    await child.query("insert into items values ('child only')");
    await child.end();
    const parent = await login(parentPort, OWNER.name, OWNER.password, 'app');
    await parent.query("insert into items values ('parent only')");
    await parent.end();

    expect(await rows(port)).toEqual(['after', 'before', 'child only']);
    expect(await rows(parentPort)).toEqual(['after', 'before', 'parent only']);
    await engine.manager.apply('br-solo', {
      roles: [{ name: OWNER.name, password: 'changed-on-child' }],
      databases: [],
    });
    expect(await loginError(parentPort, OWNER.name, OWNER.password, 'app')).toBeUndefined();
  });

  it('a branch of a branch, at a point of the child’s own history', async () => {
    await engine.manager.createBranch('br-mid', { parent: PARENT });
    const port = await engine.endpoint('br-mid');
    const mid = await login(port, OWNER.name, OWNER.password, 'app');
    await mid.query("insert into items values ('mid 1')");
    await mid.end();
    const midPoint = await engine.manager.currentLsn('br-mid');
    const atPoint = await rows(port);
    expect(atPoint).toContain('mid 1');
    const again = await login(port, OWNER.name, OWNER.password, 'app');
    await again.query("insert into items values ('mid 2')");
    await again.end();

    await engine.manager.createBranch('br-grandchild', { parent: 'br-mid', atLsn: midPoint });
    const grandchild = await engine.endpoint('br-grandchild');
    expect(await rows(grandchild)).toEqual(atPoint);
    expect(await rows(port)).toContain('mid 2');
  });

  it('a parent that wrote much WAL gets a newer base after a branch; a later branch starts from it and sees every row up to its point', async () => {
    const heavy = 'br-heavy';
    const heavyPort = await engine.rootBranch(heavy);
    await engine.manager.apply(heavy, {
      roles: [OWNER],
      databases: [{ name: 'app', owner: OWNER.name }],
    });
    const loader = await login(heavyPort, OWNER.name, OWNER.password, 'app');
    await loader.query('create table items (v text primary key)');
    // ≈ 25 MiB of WAL since the parent's base/, past the 16 MiB that calls for a newer one.
    await loader.query(
      'create table filler as select g, repeat(md5(g::text), 4) as pad from generate_series(1, 150000) g',
    );
    await loader.query("insert into items values ('before')");
    await loader.end();
    await engine.manager.createBranch('br-heavy-1', { parent: heavy });
    await expect
      .poll(
        () => engine.events.some((e) => e.branchId === heavy && /recent base/.test(e.message)),
        {
          timeout: 30_000,
        },
      )
      .toBe(true);

    const write = async (value: string) => {
      const client = await login(heavyPort, OWNER.name, OWNER.password, 'app');
      await client.query('insert into items values ($1)', [value]);
      await client.end();
    };
    await write('after the base');
    const atLsn = await engine.manager.currentLsn(heavy);
    await write('after the point');
    await engine.manager.createBranch('br-heavy-2', { parent: heavy, atLsn });
    const branched = engine.events.find(
      (e) => e.branchId === 'br-heavy-2' && e.type === 'branched',
    );
    expect(branched?.message).toMatch(/copy recent base/);
    const port = await engine.endpoint('br-heavy-2');
    expect(await rows(port)).toEqual(['after the base', 'before']);
    const [count] = await queryAs<{ n: string }>(
      port,
      OWNER.name,
      OWNER.password,
      'select count(*) as n from filler',
      'app',
    );
    expect(count!.n).toBe('150000');
  });

  it('refuses a point outside the parent’s history, and leaves no branch behind', async () => {
    await expect(
      engine.manager.createBranch('br-future', { parent: PARENT, atLsn: 'FF/0' }),
    ).rejects.toThrow(BranchPointError);
    await expect(
      engine.manager.createBranch('br-past', {
        parent: PARENT,
        atTimestamp: '2001-01-01T00:00:00Z',
      }),
    ).rejects.toThrow(/before the start/);
    expect(engine.manager.has('br-future')).toBe(false);
    expect(engine.manager.has('br-past')).toBe(false);
  });

  it('deletes a branch: its endpoint stops answering, its parent is untouched', async () => {
    await engine.manager.createBranch('br-doomed', { parent: PARENT });
    const port = await engine.endpoint('br-doomed');
    expect(await rows(port)).toContain('before');
    await engine.manager.deleteBranch('br-doomed');
    expect(engine.manager.has('br-doomed')).toBe(false);
    expect(await loginError(port, OWNER.name, OWNER.password, 'app')).toMatch(/ECONNREFUSED/);
    expect(await rows(parentPort)).toContain('before');
  });
});
