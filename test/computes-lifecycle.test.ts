// The server process and its Postgres: stop, restart, kill -9, a crashed postmaster, and an
// operation cut short by a crash, all seen through logins.
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Store } from '../server/local/store/store.ts';
import {
  eventually,
  postgresUnder,
  processFinished,
  startServerProcess,
  tempDataDir,
  type ServerProcess,
} from './support/computes.ts';
import { loginError, query, type Login } from './support/pg-login.ts';

const dirs: string[] = [];
let server: ServerProcess | undefined;

afterEach(async () => {
  await server?.stop('SIGTERM');
  server = undefined;
});

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function dataDir(name: string): string {
  const dir = tempDataDir(name);
  dirs.push(dir);
  return dir;
}

/** A project with one user on a fresh server; answers the user's login. */
async function projectWithUser(s: ServerProcess, user: string) {
  const created = await s.api('POST', '/projects', { project: { name: 'lifecycle' } });
  expect(created.status).toBe(201);
  const projectId: string = created.body.project.id;
  const branchId: string = created.body.branch.id;
  await processFinished(s, projectId, created.body.operations);
  const role = await s.api('POST', `/projects/${projectId}/branches/${branchId}/roles`, {
    role: { name: user },
  });
  await processFinished(s, projectId, role.body.operations);
  const login: Login = {
    host: created.body.endpoints[0].host,
    user,
    password: role.body.role.password,
    database: 'neondb',
  };
  return { projectId, branchId, login };
}

describe('the server and its computes', () => {
  it('stops every Postgres on SIGTERM; after a restart the same host and password log in, and a role made with SQL is kept', async () => {
    const dir = dataDir('restart');
    server = await startServerProcess(dir);
    const { projectId, branchId, login } = await projectWithUser(server, 'alice');
    await query(login, `CREATE ROLE made_with_sql LOGIN PASSWORD 'sql-made-pw'`);
    expect(postgresUnder(dir).length).toBeGreaterThan(0);

    await server.stop('SIGTERM');
    expect(postgresUnder(dir)).toEqual([]);

    server = await startServerProcess(dir);
    const endpoints = await server.api(
      'GET',
      `/projects/${projectId}/branches/${branchId}/endpoints`,
    );
    expect(endpoints.body.endpoints[0].host).toBe(login.host);
    expect(endpoints.body.endpoints[0].current_state).toBe('idle');
    expect(await loginError(login)).toBeUndefined();
    expect(
      await loginError({ ...login, user: 'made_with_sql', password: 'sql-made-pw' }),
    ).toBeUndefined();
  }, 120_000);

  it('after kill -9 of the server the next start takes over, and a killed postmaster restarts on the next connection', async () => {
    const dir = dataDir('kill');
    server = await startServerProcess(dir);
    const { login } = await projectWithUser(server, 'bob');
    await server.stop('SIGKILL');
    server = undefined;

    server = await startServerProcess(dir);
    expect(await loginError(login)).toBeUndefined();

    // The postmaster dies; the API keeps serving and the next login starts it again.
    const [postmaster] = postgresUnder(dir);
    expect(postmaster).toBeDefined();
    process.kill(postmaster!, 'SIGKILL');
    await eventually(() => !postgresUnder(dir).includes(postmaster!));
    expect((await server.api('GET', '/projects')).status).toBe(200);
    await eventually(async () => (await loginError(login)) === undefined, 30_000);
    expect(server.output()).toMatch(/crashed/);
  }, 120_000);

  it('re-applies an operation a crash left unfinished, and repairs at start what Postgres lost', async () => {
    const dir = dataDir('reconcile');
    server = await startServerProcess(dir);
    const { projectId, branchId, login } = await projectWithUser(server, 'carol');
    await server.stop('SIGTERM');
    server = undefined;

    // As if the server died right after storing a change: the operation never ran.
    const store = new Store({ dataDir: dir, operationMs: 0, computes: true });
    const created = store.createRole(projectId, branchId, 'dan');
    expect(created.operations[0]!.status).toBe('scheduling');
    store.close();

    server = await startServerProcess(dir);
    await processFinished(server, projectId, created.operations);
    const dan = { ...login, user: 'dan', password: created.value.password! };
    expect(await loginError(dan)).toBeUndefined();

    // carol changes her own password with SQL; the store still has the API's: the
    // endpoint's next start puts it back, and the log says so.
    await query(login, `ALTER ROLE carol PASSWORD 'changed-behind-the-api'`);
    const endpoints = await server.api('GET', `/projects/${projectId}/endpoints`);
    const restart = await server.api(
      'POST',
      `/projects/${projectId}/endpoints/${endpoints.body.endpoints[0].id}/restart`,
    );
    expect(restart.status).toBe(200);
    await processFinished(server, projectId, restart.body.operations);
    expect(await loginError(login)).toBeUndefined();
    expect(server.output()).toMatch(/repaired: set the password of role "carol"/);
  }, 120_000);

  it('keeps an endpoint’s port held for a moment at start; moves one held for good, and says where', async () => {
    const dir = dataDir('port');
    server = await startServerProcess(dir);
    const { projectId, login } = await projectWithUser(server, 'erin');
    await server.stop('SIGTERM');
    const port = Number(login.host.split(':')[1]);

    // Another program holds the port as the server starts, and lets it go a moment later.
    const probe = await holdPort(port);
    server = await startServerProcess(dir);
    await eventually(() => server!.output().includes(`port ${port} is taken; trying again`));
    probe.close();
    expect(await hostOf(server, projectId)).toBe(login.host);
    await eventually(async () => (await loginError(login)) === undefined, 30_000);
    await server.stop('SIGTERM');

    // Another program keeps it: the endpoint moves, and the API and the log say so.
    const squatter = await holdPort(port);
    try {
      server = await startServerProcess(dir);
      await eventually(async () => (await hostOf(server!, projectId)) !== login.host, 30_000);
      const moved = { ...login, host: await hostOf(server, projectId) };
      expect(await loginError(moved)).toBeUndefined();
      expect(server.output()).toMatch(new RegExp(`port ${port} is taken; moved to \\d+`));
    } finally {
      squatter.close();
    }
  }, 120_000);
});

function holdPort(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const holder = net.createServer();
    holder.once('error', reject);
    holder.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(holder));
  });
}

async function hostOf(s: ServerProcess, projectId: string): Promise<string> {
  const res = await s.api('GET', `/projects/${projectId}/endpoints`);
  return res.body.endpoints[0].host;
}
