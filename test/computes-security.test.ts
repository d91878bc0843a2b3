// The computes' security, seen from outside: the server as `npm start` runs it, Postgres
// reached over the network as a client would, the files a user could read.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeLayout } from '../server/compute/compute-layout.ts';
import { readPidFile } from '../server/compute/postmaster.ts';
import { postgresLogs } from './support/compute-helpers.ts';
import {
  postgresUnder,
  processFinished,
  startServerProcess,
  tempDataDir,
  type ServerProcess,
} from './support/computes.ts';
import { loginError, query, type Login } from './support/pg-login.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

let dataDir: string;
let server: ServerProcess;
let projectId: string;
let branchId: string;
let childId: string;
let host: string;
let owner: Login;
/** Every response body the test saw, as text. */
const responses: string[] = [];
/** Every password the API handed out. */
const passwords: string[] = [];

async function call(method: string, apiPath: string, body?: unknown) {
  const res = await server.api(method, apiPath, body);
  responses.push(JSON.stringify(res.body ?? ''));
  return res;
}

const rolesOf = (branch: string) => `/projects/${projectId}/branches/${branch}/roles`;

async function createRole(name: string): Promise<Login> {
  const res = await call('POST', rolesOf(branchId), { role: { name } });
  expect(res.status).toBe(201);
  await processFinished(server, projectId, res.body.operations);
  passwords.push(res.body.role.password);
  return { host, user: name, password: res.body.role.password, database: 'neondb' };
}

/** What the internal superuser logs in with on a branch's compute (server-side file). */
const adminPassword = (branch: string) =>
  fs.readFileSync(computeLayout(dataDir, branch).passwordFile, 'utf8');

/** Port and pid of the branch's running postmaster, from its postmaster.pid. */
function postmaster(branch: string) {
  const pidFile = readPidFile(computeLayout(dataDir, branch).pgdata);
  if (!pidFile) throw new Error(`no postmaster running for ${branch}`);
  return pidFile;
}

/** The addresses the kernel says a process listens on for `port` (IPv4 and IPv6, hex). */
function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A: LISTEN
      const [address, hexPort] = local.split(':');
      if (parseInt(hexPort!, 16) === port) found.push(address!);
    }
  }
  return found;
}

/** Whether a TCP connection to address:port is accepted. */
function connects(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port, timeout: 3_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const nonLoopbackAddresses = Object.values(os.networkInterfaces())
  .flat()
  .filter((a) => a && !a.internal && a.family === 'IPv4')
  .map((a) => a!.address);

beforeAll(async () => {
  dataDir = tempDataDir('security');
  server = await startServerProcess(dataDir);
  const created = await call('POST', '/projects', {
    project: { name: 'security', branch: { role_name: 'app_owner' } },
  });
  expect(created.status).toBe(201);
  projectId = created.body.project.id;
  branchId = created.body.branch.id;
  host = created.body.endpoints[0].host;
  await processFinished(server, projectId, created.body.operations);
  const ownerPassword = created.body.roles.find(
    (r: { name: string }) => r.name === 'app_owner',
  ).password;
  passwords.push(ownerPassword);
  owner = { host, user: 'app_owner', password: ownerPassword, database: 'neondb' };
  const child = await call('POST', `/projects/${projectId}/branches`, {
    branch: { name: 'child' },
    endpoints: [{ type: 'read_write' }],
  });
  expect(child.status).toBe(201);
  childId = child.body.branch.id;
  await processFinished(server, projectId, child.body.operations);
  await query(owner, 'SELECT 1'); // the parent's compute is running for the checks below
}, 180_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  expect(postgresUnder(dataDir)).toEqual([]);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the computes are reachable only as they should be', { timeout: 60_000 }, () => {
  it('listen on loopback only: the postmaster and the endpoint, by the kernel’s own table', async () => {
    const [row] = await query(owner, 'SHOW listen_addresses');
    expect(row).toEqual({ listen_addresses: '127.0.0.1' });
    const { port } = postmaster(branchId);
    const endpointPort = Number(host.split(':')[1]);
    expect(listeningAddresses(port)).toEqual(['0100007F']); // 127.0.0.1
    expect(listeningAddresses(endpointPort)).toEqual(['0100007F']);
  });

  it.skipIf(nonLoopbackAddresses.length === 0)(
    'refuses a connection to a non-loopback address of this machine',
    async () => {
      const { port } = postmaster(branchId);
      const endpointPort = Number(host.split(':')[1]);
      expect(await connects('127.0.0.1', endpointPort)).toBe(true);
      for (const address of nonLoopbackAddresses) {
        expect(await connects(address, port), `${address}:${port}`).toBe(false);
        expect(await connects(address, endpointPort), `${address}:${endpointPort}`).toBe(false);
      }
    },
  );

  it('pg_hba.conf has no trust line and only hostssl for TCP; ssl is on and a plain connection is refused', async () => {
    const hba = fs.readFileSync(
      path.join(computeLayout(dataDir, branchId).pgdata, 'pg_hba.conf'),
      'utf8',
    );
    const rules = hba
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter(Boolean)
      .map((line) => line.split(/\s+/));
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule, rule.join(' ')).not.toContain('trust');
      expect(['local', 'hostssl']).toContain(rule[0]);
      expect(rule.at(-1)).toBe('scram-sha-256');
    }
    // What the running postmaster loaded, not only the file.
    const loaded = await query<{ type: string; auth_method: string }>(
      { host, user: 'cloud_admin', password: adminPassword(branchId), database: 'postgres' },
      'SELECT type, auth_method FROM pg_hba_file_rules WHERE error IS NULL',
    );
    expect(loaded).toEqual(rules.map((rule) => ({ type: rule[0], auth_method: rule.at(-1) })));
    const [ssl] = await query(owner, 'SHOW ssl');
    expect(ssl).toEqual({ ssl: 'on' });

    const [hostname, port] = host.split(':');
    const plain = new pg.Client({
      ...owner,
      host: hostname,
      port: Number(port),
      ssl: false,
      connectionTimeoutMillis: 10_000,
    });
    await expect(plain.connect()).rejects.toThrow(/no encryption/);
  });

  it('runs Postgres as an unprivileged OS user', () => {
    const { pid } = postmaster(branchId);
    const uid = /^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
    expect(Number(uid)).not.toBe(0);
    expect(Number(uid)).not.toBe(process.getuid?.());
  });
});

describe('the internal superuser', { timeout: 60_000 }, () => {
  it('has a random password per data directory (a branch’s copy gets its own), in a file only the server reads', async () => {
    const parent = adminPassword(branchId);
    const child = adminPassword(childId);
    expect(parent).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(child).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(child).not.toBe(parent);
    for (const branch of [branchId, childId]) {
      const mode = fs.statSync(computeLayout(dataDir, branch).passwordFile).mode & 0o777;
      expect(mode.toString(8)).toBe('600');
    }
    // The parent's password does not open the child's compute.
    const childHost = (await call('GET', `/projects/${projectId}/branches/${childId}/endpoints`))
      .body.endpoints[0].host;
    expect(
      await loginError({
        host: childHost,
        user: 'cloud_admin',
        password: parent,
        database: 'postgres',
      }),
    ).toMatch(/password authentication failed/);
    expect(
      await loginError({
        host: childHost,
        user: 'cloud_admin',
        password: child,
        database: 'postgres',
      }),
    ).toBeUndefined();
  });

  it('its password is in no API response, no server output, no Postgres log and not in the repo', async () => {
    await call(
      'GET',
      `/projects/${projectId}/connection_uri?role_name=app_owner&database_name=neondb`,
    );
    await call('GET', `${rolesOf(branchId)}/app_owner/reveal_password`);
    await call('GET', `/projects/${projectId}/endpoints`);
    await call('GET', `/projects/${projectId}/operations`);
    const secrets = [adminPassword(branchId), adminPassword(childId)];
    const logs = postgresLogs(dataDir);
    expect(logs.length).toBeGreaterThan(0);
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter((file) => file && fs.existsSync(path.join(ROOT, file)));
    for (const secret of secrets) {
      for (const text of responses) expect(text).not.toContain(secret);
      expect(server.output()).not.toContain(secret);
      expect(logs).not.toContain(secret);
      for (const file of tracked)
        expect(fs.readFileSync(path.join(ROOT, file), 'latin1').includes(secret), file).toBe(false);
    }
  });
});

describe('no role the API creates can become superuser', { timeout: 60_000 }, () => {
  it('ALTER ROLE … SUPERUSER, CREATE ROLE … SUPERUSER and SET ROLE cloud_admin fail; neon_superuser is not superuser', async () => {
    const mallory = await createRole('mallory');
    const client = new pg.Client({
      ...mallory,
      host: host.split(':')[0],
      port: Number(host.split(':')[1]),
      ssl: { rejectUnauthorized: false },
    });
    await client.connect();
    try {
      for (const sql of [
        'ALTER ROLE mallory SUPERUSER',
        'ALTER ROLE neon_superuser SUPERUSER',
        'CREATE ROLE mallory_admin SUPERUSER',
        'SET ROLE cloud_admin',
        'GRANT cloud_admin TO mallory',
        'ALTER ROLE cloud_admin PASSWORD NULL',
      ]) {
        await expect(client.query(sql), sql).rejects.toMatchObject({ code: '42501' });
      }
      const { rows } = await client.query<{ rolname: string; rolsuper: boolean }>(
        `SELECT rolname, rolsuper FROM pg_roles
          WHERE rolname IN ('mallory', 'app_owner', 'neon_superuser') ORDER BY rolname`,
      );
      expect(rows).toEqual([
        { rolname: 'app_owner', rolsuper: false },
        { rolname: 'mallory', rolsuper: false },
        { rolname: 'neon_superuser', rolsuper: false },
      ]);
      // A role it creates itself gets no more than it has.
      await client.query(`CREATE ROLE mallory_child LOGIN PASSWORD 'not-a-secret-x'`);
      await expect(client.query('ALTER ROLE mallory_child SUPERUSER')).rejects.toMatchObject({
        code: '42501',
      });
    } finally {
      await client.end();
    }
  });

  it('no password the API handed out is in any log after creates and resets', async () => {
    await createRole('logcheck');
    const reset = await call('POST', `${rolesOf(branchId)}/logcheck/reset_password`);
    expect(reset.status).toBe(200);
    passwords.push(reset.body.role.password);
    await processFinished(server, projectId, reset.body.operations);
    const logs = postgresLogs(dataDir);
    const output = server.output();
    expect(passwords.length).toBeGreaterThanOrEqual(4);
    for (const password of passwords) {
      expect(output).not.toContain(password);
      expect(logs).not.toContain(password);
    }
    expect(logs).not.toMatch(/SCRAM-SHA-256\$/);
    expect(output).not.toMatch(/SCRAM-SHA-256\$/);
  });
});
