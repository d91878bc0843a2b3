import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  allocatePort,
  ComputeManager,
  type DesiredState,
} from '../server/compute/compute-manager.ts';
import { postgresBinaries } from '../server/compute/postgres-binaries.ts';
import { postgresUser } from '../server/compute/os-user.ts';
import { computeLayout } from '../server/compute/compute-layout.ts';
import { readPidFile } from '../server/compute/postmaster.ts';
import {
  login,
  loginError,
  postgresProcessesUnder,
  queryAs,
  waitFor,
} from './support/compute-helpers.ts';
import { engineSuite } from './support/engine-suite.ts';

const engine = engineSuite({ desiredState: () => desired });

const BRANCH = 'br-life';
const USER = { name: 'lifer', password: 'lifer-pw-Aa9' };
const DATABASES = [{ name: 'lifedb', owner: USER.name }];
let desired: DesiredState = { roles: [USER], databases: DATABASES };
let port: number;
let branchDir: string;

beforeAll(async () => {
  port = await engine.rootBranch(BRANCH);
  branchDir = path.join(engine.dataDir, 'computes', BRANCH);
}, 120_000);

describe('compute lifecycle', { timeout: 60_000 }, () => {
  it('a new compute costs no process; the first connection wakes it and applies the desired state', async () => {
    expect(engine.manager.state(BRANCH)).toBe('idle');
    expect(postgresProcessesUnder(branchDir)).toEqual([]);
    const [row] = await queryAs(port, USER.name, USER.password, 'select current_user as u');
    expect(row).toEqual({ u: USER.name });
    expect(engine.manager.state(BRANCH)).toBe('active');
    expect(postgresProcessesUnder(branchDir).length).toBeGreaterThan(0);
    expect(engine.events.some((e) => e.type === 'repaired' && e.message.includes('lifer'))).toBe(
      true,
    );
  });

  it('two callers setting the same endpoint at once: one listener on that port, neither refused', async () => {
    const other = await allocatePort();
    await Promise.all([
      engine.manager.setEndpoint(BRANCH, { port: other, suspendTimeoutSeconds: 0 }),
      engine.manager.setEndpoint(BRANCH, { port: other, suspendTimeoutSeconds: 0 }),
    ]);
    expect(await loginError(other, USER.name, USER.password)).toBeUndefined();
    await engine.manager.setEndpoint(BRANCH, { port, suspendTimeoutSeconds: 0 });
    expect(await loginError(port, USER.name, USER.password)).toBeUndefined();
  });

  it('suspends after the idle timeout (no process left), never while a connection is open', async () => {
    await engine.manager.setEndpoint(BRANCH, { port, suspendTimeoutSeconds: 1 });
    const held = await login(port, USER.name, USER.password);
    await new Promise((resolve) => setTimeout(resolve, 1800));
    expect(engine.manager.state(BRANCH)).toBe('active');
    expect((await held.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await held.end();
    await waitFor(() => engine.manager.state(BRANCH) === 'idle', 15_000, 'suspend');
    await waitFor(() => postgresProcessesUnder(branchDir).length === 0, 10_000, 'no process');
    expect(engine.manager.usage(BRANCH)).toEqual({ pids: [], rssBytes: 0, pssBytes: 0 });
    await engine.manager.setEndpoint(BRANCH, { port, suspendTimeoutSeconds: 0 });
  });

  it('a password changed while suspended applies when the compute wakes', async () => {
    await engine.manager.suspend(BRANCH);
    expect(engine.manager.state(BRANCH)).toBe('idle');
    const old = USER.password;
    USER.password = 'lifer-pw-2-Aa9';
    desired = { roles: [USER], databases: DATABASES };
    expect(await loginError(port, USER.name, USER.password)).toBeUndefined();
    expect(await loginError(port, USER.name, old)).toMatch(/password authentication failed/);
  });

  it('a postmaster killed with SIGKILL is restarted by the next connection, data intact', async () => {
    const client = await login(port, USER.name, USER.password, 'lifedb');
    await client.query('create table if not exists survives (n int)');
    await client.query('insert into survives values (42)');
    await client.end();
    const [postmaster] = engine.manager.usage(BRANCH).pids;
    process.kill(postmaster!, 'SIGKILL');
    await waitFor(() => engine.manager.state(BRANCH) === 'idle', 10_000, 'crash noticed');
    expect(engine.events.some((e) => e.type === 'crashed')).toBe(true);
    const rows = await queryAs(port, USER.name, USER.password, 'select n from survives', 'lifedb');
    expect(rows).toEqual([{ n: 42 }]);
  });

  it('start, suspend and restart on request', async () => {
    await engine.manager.suspend(BRANCH);
    expect(engine.manager.state(BRANCH)).toBe('idle');
    await engine.manager.start(BRANCH);
    expect(engine.manager.state(BRANCH)).toBe('active');
    const before = engine.manager.usage(BRANCH).pids[0];
    const session = await login(port, USER.name, USER.password);
    await engine.manager.restart(BRANCH);
    expect(engine.manager.state(BRANCH)).toBe('active');
    expect(engine.manager.usage(BRANCH).pids[0]).not.toBe(before);
    await expect(session.query('select 1')).rejects.toThrow();
  });

  it('reports a running compute’s memory (postmaster and children)', () => {
    const usage = engine.manager.usage(BRANCH);
    expect(usage.pids.length).toBeGreaterThan(3);
    expect(usage.rssBytes).toBeGreaterThan(usage.pssBytes);
    console.log(
      `running compute: ${usage.pids.length} processes, RSS ${(usage.rssBytes / 2 ** 20).toFixed(1)} MiB, PSS ${(usage.pssBytes / 2 ** 20).toFixed(1)} MiB`,
    );
  });

  it('stopAll leaves no Postgres running', async () => {
    await engine.manager.start(BRANCH);
    await engine.manager.stopAll();
    expect(postgresProcessesUnder(engine.dataDir)).toEqual([]);
    expect(await loginError(port, USER.name, USER.password)).toMatch(/ECONNREFUSED/);
  });

  it('at start-up, a stale postmaster.pid is cleared and a postmaster left running is stopped', async () => {
    const layout = computeLayout(engine.dataDir, BRANCH);
    // A pid file naming a live process that is not a postmaster (ours).
    fs.writeFileSync(
      path.join(layout.pgdata, 'postmaster.pid'),
      `${process.pid}\n${layout.pgdata}\n0\n5432\n\n127.0.0.1\n0 0\nready   \n`,
    );
    const events: string[] = [];
    let manager = await ComputeManager.open({
      dataDir: engine.dataDir,
      log: (e) => events.push(`${e.type}: ${e.message}`),
    });
    expect(events).toContain('took-over: removed a stale postmaster.pid');
    await manager.start(BRANCH);
    expect(manager.state(BRANCH)).toBe('active');
    await manager.stopAll();

    // A postmaster started outside any watchdog (as an older run would have left it).
    const { uid, gid } = postgresUser();
    const orphan = spawn(
      postgresBinaries().postgres,
      ['-D', layout.pgdata, '-p', String(await allocatePort())],
      { uid, gid, detached: true, stdio: 'ignore' },
    );
    orphan.unref();
    await waitFor(() => readPidFile(layout.pgdata)?.status === 'ready', 20_000, 'orphan ready');
    events.length = 0;
    manager = await ComputeManager.open({
      dataDir: engine.dataDir,
      log: (e) => events.push(`${e.type}: ${e.message}`),
    });
    expect(events).toContain('took-over: stopped a postmaster left running by an earlier run');
    expect(postgresProcessesUnder(engine.dataDir)).toEqual([]);
    const again = await allocatePort();
    await manager.setEndpoint(BRANCH, { port: again, suspendTimeoutSeconds: 0 });
    expect(await loginError(again, USER.name, USER.password)).toBeUndefined();
    await manager.stopAll();
  });

  it('a SIGKILL of the Node process that owns a compute leaves no Postgres behind', async () => {
    const driver = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join('test', 'support', 'compute-driver.ts'),
        engine.dataDir,
        'br-orphaned',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      driver.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      driver.once('exit', (code) => reject(new Error(`driver exited (${code})`)));
    });
    const { postmaster } = JSON.parse(line) as { postmaster: number };
    const dir = path.join(engine.dataDir, 'computes', 'br-orphaned');
    expect(postgresProcessesUnder(dir)).toContain(postmaster);
    driver.kill('SIGKILL');
    await waitFor(() => postgresProcessesUnder(dir).length === 0, 15_000, 'Postgres to stop');
  });
});
