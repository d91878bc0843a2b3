import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile, spawn } from 'node:child_process';
import { afterAll, beforeAll, expect } from 'vitest';
import { inProcessApi, type InProcessApi } from './api.ts';
import type { Login } from './pg-login.ts';
import { testServerEnv } from './test-env.ts';

/** A data directory of a test's own (computes need one on disk). */
export function tempDataDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `neon-local-${name}-`));
}

/** The in-process API with real computes: its own data directory, no seed, no idle suspend. */
export function computeApi(dataDir: string, env: Record<string, string> = {}): InProcessApi {
  return inProcessApi({
    NEON_LOCAL_DATA_DIR: dataDir,
    NEON_LOCAL_COMPUTES: '1',
    NEON_LOCAL_SEED: '0',
    NEON_LOCAL_SUSPEND_TIMEOUT_SECONDS: '0',
    ...env,
  });
}

export interface Operation {
  id: string;
  status: string;
  error?: string;
}

/** Polls the operations until each has finished or failed; answers them as they ended. */
export async function settle(
  api: InProcessApi,
  projectId: string,
  operations: readonly Operation[],
  timeoutMs = 60_000,
): Promise<Operation[]> {
  const deadline = Date.now() + timeoutMs;
  const ended: Operation[] = [];
  for (const op of operations) {
    for (;;) {
      const res = await api.request('GET', `/projects/${projectId}/operations/${op.id}`);
      const current = res.body.operation as Operation;
      if (current.status === 'finished' || current.status === 'failed') {
        ended.push(current);
        break;
      }
      if (Date.now() > deadline) throw new Error(`operation ${op.id} still ${current.status}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  return ended;
}

/** Like `settle`, and fails the test unless every one finished. */
export async function finished(
  api: InProcessApi,
  projectId: string,
  operations: readonly Operation[],
): Promise<void> {
  const ended = await settle(api, projectId, operations);
  const failed = ended.filter((op) => op.status !== 'finished');
  if (failed.length) throw new Error(`operations failed: ${JSON.stringify(failed)}`);
}

/** psql with a connection URI (as a user would paste it); answers stdout, or throws with stderr. */
export function psql(uri: string, sql: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'psql',
      [uri, '-XAtc', sql],
      { env: { ...process.env, PGCONNECT_TIMEOUT: '30' } },
      (error, stdout, stderr) =>
        error ? reject(new Error(stderr || error.message)) : resolve(stdout.trim()),
    );
  });
}

/** Pids of Postgres servers whose data directory is under `dataDir`. */
export function postgresUnder(dataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm !== 'postgres') continue;
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.some((arg) => arg.startsWith(dataDir))) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

export interface ServerProcess {
  url: string;
  /** Everything it printed so far. */
  output(): string;
  /** Calls its API (`path` under /api/v2) with the test key. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }>;
  /** Sends `signal` and waits until the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * `npm start` as a user runs it (one node process), with computes on and its own data
 * directory; answers once it listens and, with `until`, once its output also says that.
 */
export async function startServerProcess(
  dataDir: string,
  env: Record<string, string> = {},
  { until }: { until?: RegExp } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...testServerEnv({
        NEON_LOCAL_DATA_DIR: dataDir,
        NEON_LOCAL_COMPUTES: '1',
        NEON_LOCAL_SEED: '0',
        NEON_LOCAL_SKIP_BUILD: '1',
        NEON_LOCAL_QUIET: '0',
        NEON_API_KEY: 'test-api-key',
        PORT: '0',
        ...env,
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Neon Users console: (http:\/\/\S+)/.exec(out);
      if (match && (!until || until.test(out))) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => reject(new Error(`the server exited before listening:\n${out}`)));
  });
  return {
    url,
    output: () => out,
    async api(method, apiPath, body) {
      const res = await fetch(`${url}/api/v2${apiPath}`, {
        method,
        headers: {
          authorization: 'Bearer test-api-key',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

/** Polls a server process's operations until each has finished; fails on a failed one. */
export async function processFinished(
  server: ServerProcess,
  projectId: string,
  operations: readonly { id: string }[],
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const op of operations) {
    for (;;) {
      const res = await server.api('GET', `/projects/${projectId}/operations/${op.id}`);
      const status = res.body.operation.status;
      if (status === 'finished') break;
      if (status === 'failed') throw new Error(`operation failed: ${JSON.stringify(res.body)}`);
      if (Date.now() > deadline) throw new Error(`operation ${op.id} still ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** Polls `check` until it is true (or fails after `timeoutMs`). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A project made through a computes API, and a login as its owner on the endpoint host. */
export interface OwnedProject {
  projectId: string;
  branchId: string;
  host: string;
  owner: Login;
}

/** Creates a project whose owner role is `ownerName`, waits for its compute, and logs its owner in there. */
export async function createOwnedProject(
  api: InProcessApi,
  name: string,
  ownerName = 'app_owner',
): Promise<OwnedProject> {
  const created = await api.request('POST', '/projects', {
    body: { project: { name, branch: { role_name: ownerName } } },
  });
  expect(created.status).toBe(201);
  const host: string = created.body.endpoints[0].host;
  await finished(api, created.body.project.id, created.body.operations);
  return {
    projectId: created.body.project.id,
    branchId: created.body.branch.id,
    host,
    owner: {
      host,
      user: ownerName,
      password: created.body.roles.find((r: { name: string }) => r.name === ownerName).password,
      database: 'neondb',
    },
  };
}

/** A suite's own computes API and the project it made; the fields are set once `beforeAll` ran. */
export interface ComputesSuite extends OwnedProject {
  api: InProcessApi;
  dataDir: string;
}

/**
 * Gives the calling test file its own computes API (data directory named after `name`) and
 * one project owned by `app_owner`, made before its tests and closed after them, checking
 * that no Postgres outlived it.
 */
export function computesSuite(name: string): ComputesSuite {
  const suite = {} as ComputesSuite;
  beforeAll(async () => {
    suite.dataDir = tempDataDir(name);
    suite.api = computeApi(suite.dataDir);
    Object.assign(suite, await createOwnedProject(suite.api, name));
  }, 120_000);
  afterAll(() => closeComputeApi(suite.api, suite.dataDir), 60_000);
  return suite;
}

/** Closes a computes API, checks no Postgres outlived it, and removes its data directory. */
export async function closeComputeApi(api: InProcessApi | undefined, dataDir: string) {
  await api?.close();
  expect(postgresUnder(dataDir)).toEqual([]);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
