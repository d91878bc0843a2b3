import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type pg from 'pg';
import {
  allocatePort,
  ComputeManager,
  type ComputeEvent,
} from '../../server/compute/compute-manager.ts';
import { connected, loginError as loginErrorAs, pgClient, query, type Login } from './pg-login.ts';

const run = promisify(execFile);

/** A private data directory (mkdtemp: 0700, as a user's would be) and a manager on it. */
export async function openEngine(
  options: { desiredState?: Parameters<typeof ComputeManager.open>[0]['desiredState'] } = {},
) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'compute-test-'));
  const events: ComputeEvent[] = [];
  const manager = await ComputeManager.open({
    dataDir,
    log: (event) => events.push(event),
    defaultSuspendTimeoutSeconds: 0,
    ...options,
  });
  return {
    dataDir,
    manager,
    events,
    /** Serves the branch on a free port of 127.0.0.1, never suspending when idle; answers the port. */
    async endpoint(branchId: string): Promise<number> {
      const port = await allocatePort();
      await manager.setEndpoint(branchId, { port, suspendTimeoutSeconds: 0 });
      return port;
    },
    /** A root branch (its cluster made the first time) served as `endpoint` serves it. */
    async rootBranch(branchId: string): Promise<number> {
      await manager.ensureBranch(branchId);
      return this.endpoint(branchId);
    },
    async close() {
      await manager.stopAll();
      if (!process.env.KEEP_COMPUTE_TEST_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The engine's endpoints listen on 127.0.0.1: a login there, as pg-login.ts takes it. */
const onPort = (port: number, user: string, password: string, database: string): Login => ({
  host: `127.0.0.1:${port}`,
  user,
  password,
  database,
});

/** Logs in as a client would: TLS required, SCRAM with channel binding. */
export function login(
  port: number,
  user: string,
  password: string,
  database = 'postgres',
): Promise<pg.Client> {
  return connected(pgClient(onPort(port, user, password, database), 20_000));
}

/** One query in a fresh session; resolves with the rows. */
export function queryAs<T extends pg.QueryResultRow = Record<string, unknown>>(
  port: number,
  user: string,
  password: string,
  sql: string,
  database = 'postgres',
): Promise<T[]> {
  return query<T>(onPort(port, user, password, database), sql);
}

/** Whether a login is refused, and Postgres's message. */
export function loginError(
  port: number,
  user: string,
  password: string,
  database = 'postgres',
): Promise<string | undefined> {
  return loginErrorAs(onPort(port, user, password, database));
}

/** psql (Debian's), with the URL exactly as neonctl would print it. */
export async function psql(url: string, sql: string): Promise<string> {
  const { stdout } = await run('psql', [url, '-XAtc', sql], { timeout: 20_000 });
  return stdout.trim();
}

export function connectionUrl(port: number, user: string, password: string, db = 'postgres') {
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(db)}?sslmode=require&channel_binding=require`;
}

/** Every postgres process whose working directory is under dir (the postmaster and its children). */
export function postgresProcessesUnder(dir: string): number[] {
  const real = fs.realpathSync(dir);
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue;
      if (fs.realpathSync(`/proc/${entry}/cwd`).startsWith(real + path.sep))
        pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** All of Postgres's log files under dir, concatenated. */
export function postgresLogs(dir: string): string {
  const computes = path.join(dir, 'computes');
  return fs
    .readdirSync(computes)
    .map((branch) => path.join(computes, branch, 'postgres.log'))
    .filter((file) => fs.existsSync(file))
    .map((file) => fs.readFileSync(file, 'utf8'))
    .join('\n');
}

export async function waitFor(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
