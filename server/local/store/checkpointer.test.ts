import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { Sqlite } from './sqlite.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpointer-'));
  dirs.push(dir);
  return dir;
}

it('copies the WAL into the database file in the background, long before SQLite would', async () => {
  const dir = dataDir();
  const sql = new Sqlite(dir);
  const file = path.join(dir, 'neon-local.sqlite');
  try {
    sql.run('CREATE TABLE blobs (b BLOB)');
    const before = fs.statSync(file).size;
    // ~600 KiB in 150 commits: far below SQLite's own checkpoint at 16 MiB of WAL.
    for (let i = 0; i < 150; i++) sql.run('INSERT INTO blobs VALUES (?)', Buffer.alloc(4000, i));
    await vi.waitFor(() => expect(fs.statSync(file).size).toBeGreaterThan(before + 500_000), {
      timeout: 10_000,
      interval: 20,
    });
    expect(sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM blobs')!.n).toBe(150);
  } finally {
    sql.close();
  }
});

it('closes with the store: the WAL folded in and removed, every row kept', () => {
  const dir = dataDir();
  const sql = new Sqlite(dir);
  for (let i = 0; i < 250; i++)
    sql.run('INSERT INTO meta (key, value) VALUES (?, ?)', `k${i}`, 'v');
  sql.close();
  expect(fs.existsSync(path.join(dir, 'neon-local.sqlite-wal'))).toBe(false);
  const reopened = new Sqlite(dir);
  try {
    expect(
      reopened.get<{ n: number }>("SELECT COUNT(*) AS n FROM meta WHERE key LIKE 'k%'")!.n,
    ).toBe(250);
  } finally {
    reopened.close();
  }
});
