import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import pg from 'pg';
import { inProcessApi, type InProcessApi } from '../api.ts';

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

export interface Login {
  host: string;
  user: string;
  password: string;
  database: string;
}

/** `host` is the endpoint's `127.0.0.1:port`. TLS on (the certificate is self-signed). */
function clientConfig({ host, user, password, database }: Login): pg.ClientConfig {
  const [hostname, port] = host.split(':');
  return {
    host: hostname,
    port: Number(port),
    user,
    password,
    database,
    ssl: { rejectUnauthorized: false },
    enableChannelBinding: true,
    connectionTimeoutMillis: 30_000,
  };
}

/** Runs one query as the login with the `pg` driver. */
export async function query<T extends pg.QueryResultRow = pg.QueryResultRow>(
  login: Login,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client(clientConfig(login));
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The login's error message, or undefined when it logs in. */
export async function loginError(login: Login): Promise<string | undefined> {
  try {
    await query(login, 'SELECT 1');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
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
