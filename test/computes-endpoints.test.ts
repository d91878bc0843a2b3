// Endpoints as Neon's computes, over real HTTP: idle/active, start/suspend/restart, wake on
// connect, idle suspend, and connection strings (connection_uri, neonctl) that psql logs in with.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from './support/local-server.ts';
import { eventually, postgresUnder, psql, tempDataDir } from './support/computes.ts';
import { loginError } from './support/pg-login.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

const NEONCTL = path.resolve('node_modules/.bin/neonctl');
let dataDir: string;
let server: LocalServer;
let projectId: string;
let branchId: string;
let endpointId: string;
let host: string;
let password: string;

async function call(method: string, apiPath: string, body?: unknown): Promise<Body> {
  const res = await fetch(`${server.url}/api/v2${apiPath}`, {
    method,
    headers: {
      authorization: `Bearer ${server.apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, ...(text ? JSON.parse(text) : {}) };
}

async function done(operations: { id: string }[]): Promise<void> {
  for (const op of operations) {
    await eventually(async () => {
      const { operation } = await call('GET', `/projects/${projectId}/operations/${op.id}`);
      if (operation.status === 'failed') throw new Error(operation.error);
      return operation.status === 'finished';
    }, 60_000);
  }
}

const state = async () =>
  (await call('GET', `/projects/${projectId}/endpoints/${endpointId}`)).endpoint.current_state;

beforeAll(async () => {
  dataDir = tempDataDir('endpoints');
  server = await startLocalServer({
    NEON_LOCAL_DATA_DIR: dataDir,
    NEON_LOCAL_COMPUTES: '1',
    NEON_LOCAL_SEED: '0',
    // Short enough to watch an idle compute suspend itself.
    NEON_LOCAL_SUSPEND_TIMEOUT_SECONDS: '2',
  });
  const created = await call('POST', '/projects', {
    project: { name: 'endpoints', branch: { role_name: 'owner' } },
  });
  projectId = created.project.id;
  branchId = created.branch.id;
  endpointId = created.endpoints[0].id;
  host = created.endpoints[0].host;
  password = created.roles.find((r: Body) => r.name === 'owner').password;
  await done(created.operations);
}, 120_000);

afterAll(async () => {
  await server?.close();
  expect(postgresUnder(dataDir)).toEqual([]);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const owner = () => ({ host, user: 'owner', password, database: 'neondb' });

describe('endpoints with computes on', () => {
  it('suspends on request, wakes on the next connection, and suspends itself when idle', async () => {
    const suspended = await call('POST', `/projects/${projectId}/endpoints/${endpointId}/suspend`);
    expect(suspended.status).toBe(200);
    expect(suspended.operations.map((o: Body) => o.action)).toEqual(['suspend_compute']);
    await done(suspended.operations);
    expect(await state()).toBe('idle');

    expect(await loginError(owner())).toBeUndefined();
    expect(await state()).toBe('active');
    // NEON_LOCAL_SUSPEND_TIMEOUT_SECONDS=2: idle again soon after the last connection.
    await eventually(async () => (await state()) === 'idle', 20_000);
  }, 60_000);

  it('starts and restarts on request (start_compute; suspend_compute then start_compute)', async () => {
    const started = await call('POST', `/projects/${projectId}/endpoints/${endpointId}/start`);
    expect(started.operations.map((o: Body) => o.action)).toEqual(['start_compute']);
    await done(started.operations);
    expect(await state()).toBe('active');
    const restarted = await call('POST', `/projects/${projectId}/endpoints/${endpointId}/restart`);
    expect(restarted.operations.map((o: Body) => o.action)).toEqual([
      'suspend_compute',
      'start_compute',
    ]);
    await done(restarted.operations);
    expect(await loginError(owner())).toBeUndefined();
  }, 60_000);

  it('answers connection_uri in Neon’s form, pooled or not, and psql logs in with it', async () => {
    const q = `branch_id=${branchId}&database_name=neondb&role_name=owner`;
    const direct = await call('GET', `/projects/${projectId}/connection_uri?${q}`);
    expect(direct.uri).toBe(
      `postgresql://owner:${encodeURIComponent(password)}@${host}/neondb?sslmode=require&channel_binding=require`,
    );
    expect(await psql(direct.uri, 'select current_user')).toBe('owner');
    const pooled = await call('GET', `/projects/${projectId}/connection_uri?${q}&pooled=true`);
    expect(await psql(pooled.uri, 'select current_database()')).toBe('neondb');
    const missing = await call(
      'GET',
      `/projects/${projectId}/connection_uri?database_name=neondb&role_name=nobody`,
    );
    expect(missing.status).toBe(404);
  }, 60_000);

  it('neonctl connection-string output logs in with psql', async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'neonctl-'));
    try {
      const uri = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          [
            NEONCTL,
            'connection-string',
            '--project-id',
            projectId,
            '--role-name',
            'owner',
            '--database-name',
            'neondb',
            '--api-host',
            `${server.url}/api/v2`,
            '--api-key',
            server.apiKey,
            '--no-analytics',
            '--config-dir',
            configDir,
          ],
          { timeout: 90_000, env: { ...process.env, NEON_API_KEY: '', NO_COLOR: '1' } },
          (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout.trim())),
        ),
      );
      expect(uri).toContain(host);
      expect(await psql(uri, 'select current_user')).toBe('owner');
    } finally {
      fs.rmSync(configDir, { recursive: true, force: true });
    }
  }, 120_000);
});
