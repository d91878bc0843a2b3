import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { GroupCommit, type Fsync } from './group-commit.ts';
import { Store } from './store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** An fsync the test completes by hand, recording each call. */
function heldFsync() {
  const pending: ((err: NodeJS.ErrnoException | null) => void)[] = [];
  let called: () => void = () => {};
  const fsync: Fsync = (_fd, done) => {
    pending.push(done);
    called();
  };
  const nextCall = () => new Promise<void>((r) => (called = r));
  return { fsync, pending, nextCall };
}

function walFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'group-commit-'));
  dirs.push(dir);
  const file = path.join(dir, 'x-wal');
  fs.writeFileSync(file, '');
  return file;
}

it('commits that arrive together share one fsync, and none is durable before it ends', async () => {
  const held = heldFsync();
  const gc = new GroupCommit(walFile(), held.fsync);
  expect(gc.whenDurable()).toBeUndefined();
  const settled: number[] = [];
  const waits = [1, 2, 3].map((i) => {
    gc.noteCommit();
    return gc.whenDurable()!.then(() => settled.push(i));
  });
  await held.nextCall();
  expect(held.pending).toHaveLength(1);
  expect(settled).toEqual([]);
  // A commit made while that fsync runs needs the next one.
  gc.noteCommit();
  const late = gc.whenDurable()!.then(() => settled.push(4));
  const second = held.nextCall();
  held.pending.shift()!(null);
  await Promise.all(waits);
  expect(settled.sort()).toEqual([1, 2, 3]);
  await second;
  expect(settled).not.toContain(4);
  held.pending.shift()!(null);
  await late;
  expect(settled).toContain(4);
  expect(gc.whenDurable()).toBeUndefined();
  gc.close();
});

it('a failed fsync fails the commits waiting on it', async () => {
  const held = heldFsync();
  const gc = new GroupCommit(walFile(), held.fsync);
  gc.noteCommit();
  const wait = gc.whenDurable()!;
  await held.nextCall();
  held.pending.shift()!(Object.assign(new Error('EIO'), { code: 'EIO' }));
  await expect(wait).rejects.toThrow('EIO');
  gc.close();
});

it("a store on disk acknowledges a write only after its WAL's fsync; ':memory:' has nothing to wait for", async () => {
  const held = heldFsync();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'group-commit-store-'));
  dirs.push(dir);
  const store = new Store({ dataDir: dir, operationMs: 0, fsync: held.fsync });
  const { project, branch } = store.createProject({ orgId: 'org-test', roleName: 'owner' }).value;
  const first = held.nextCall();
  let durable = false;
  const wait = store.whenDurable()!.then(() => (durable = true));
  await first;
  expect(durable).toBe(false);
  held.pending.shift()!(null);
  await wait;
  expect(durable).toBe(true);
  store.createRole(project.id, branch.id, 'casey');
  expect(store.whenDurable()).toBeDefined();
  // A refused write commits nothing and leaves nothing more to sync.
  const next = held.nextCall();
  void store.whenDurable();
  await next;
  held.pending.shift()!(null);
  await store.whenDurable();
  expect(() => store.createRole(project.id, branch.id, 'casey')).toThrow();
  expect(store.whenDurable()).toBeUndefined();
  store.close();

  const memory = new Store({ dataDir: ':memory:', operationMs: 0 });
  memory.createProject({ orgId: 'org-test', roleName: 'owner' });
  expect(memory.whenDurable()).toBeUndefined();
  memory.close();
});
