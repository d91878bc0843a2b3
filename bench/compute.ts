/**
 * The `compute` suite of `npm run bench`: real Postgres behind the branches, measured as a
 * client feels it, through the server's API (a child process, NEON_LOCAL_COMPUTES=1,
 * operations at 0 ms) and the endpoint hosts it reports, with the `pg` driver over TLS +
 * SCRAM. Memory is read from /proc for the Postgres processes of each branch's data
 * directory. See BENCHMARKS.md ("The compute suite") for the method.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pgClient, query, type Login } from '../test/support/pg-login.ts';
import { API_KEY, makeDataDir, startLocalApi } from './api.ts';
import { fmt, median, type Row } from './lib/report.ts';
import type { Started } from './lib/processes.ts';

export interface ComputeOptions {
  /** Repeats of each timed step. */
  repeats: number;
  /** Branches made for the many-branches figure, and how many of them run. */
  branches: number;
  running: number;
  /** Rows of filler in the parent branch (≈ 150 bytes each: 300,000 ≈ 50 MB). */
  fillerRows: number;
  /** Sequential list requests per measurement. */
  listRequests: number;
  log: (line: string) => void;
}

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

class Api {
  constructor(private readonly url: string) {}

  async call(method: string, apiPath: string, body?: unknown): Promise<Body> {
    for (;;) {
      const res = await fetch(`${this.url}/api/v2${apiPath}`, {
        method,
        headers: {
          authorization: `Bearer ${API_KEY}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      // 423: an operation of the project is still running; Neon's clients retry.
      if (res.status === 423) {
        await sleep(5);
        continue;
      }
      if (!res.ok) throw new Error(`${method} ${apiPath}: ${res.status} ${text}`);
      return text ? (JSON.parse(text) as Body) : {};
    }
  }

  /** Polls until no operation of the project is unfinished; fails on a failed one. */
  async settle(projectId: string): Promise<void> {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const { operations } = await this.call('GET', `/projects/${projectId}/operations?limit=100`);
      const failed = (operations as Body[]).find((op) => op.status === 'failed');
      if (failed) throw new Error(`operation ${failed.action} failed: ${failed.error}`);
      if (!(operations as Body[]).some((op) => ['scheduling', 'running'].includes(op.status)))
        return;
      if (Date.now() > deadline) throw new Error(`operations of ${projectId} did not finish`);
      await sleep(5);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connects and queries until it works (refused, or no such role yet, until then); ms taken. */
async function untilItWorks(login: Login, sql: string, since: number): Promise<number> {
  const deadline = since + 120_000;
  for (;;) {
    try {
      await query(login, sql);
      return performance.now() - since;
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await sleep(2);
    }
  }
}

/** The Postgres processes of one branch: its postmaster (found by data directory) and children. */
function postgresOf(dataDir: string, branchId: string): number[] {
  const pgdata = path.join(dataDir, 'computes', branchId, 'pgdata');
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!args.includes(pgdata)) continue;
      const children = fs
        .readFileSync(`/proc/${entry}/task/${entry}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
      return [Number(entry), ...children];
    } catch {
      // exited meanwhile
    }
  }
  return [];
}

/** The branch's processes once no session's backend is left (they exit after the client). */
async function withoutSessions(dataDir: string, branchId: string): Promise<number[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const pids = postgresOf(dataDir, branchId);
    const backends = pids.slice(1).filter((pid) => {
      try {
        const title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return !/^postgres: (checkpointer|background writer|walwriter|autovacuum launcher|archiver|logical replication launcher)/.test(
          title,
        );
      } catch {
        return false;
      }
    });
    if (backends.length === 0 || Date.now() > deadline) return pids;
    await sleep(20);
  }
}

/** Summed Rss and Pss (shared pages divided among their sharers) of those processes. */
function memoryOf(pids: number[]): { rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    try {
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024;
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024;
    } catch {
      // exited meanwhile
    }
  }
  return { rss, pss };
}

/** Bytes under the directories together (a file hard-linked from several counts once). */
function du(...dirs: string[]): number {
  const out = execFileSync('du', ['-sbc', ...dirs], { encoding: 'utf8' })
    .trim()
    .split('\n');
  return Number(out[out.length - 1]!.split('\t')[0]);
}

/** Sequential GETs; median and p99 in ms. */
async function listLatency(api: Api, apiPath: string, requests: number) {
  const times: number[] = [];
  for (let i = 0; i < requests; i++) {
    const began = performance.now();
    await api.call('GET', apiPath);
    times.push(performance.now() - began);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median: median(times), p99: sorted[Math.ceil(sorted.length * 0.99) - 1]! };
}

function row(figure: string, goal: string, ms: number, limit?: number, note?: string): Row {
  return {
    group: 'compute',
    figure,
    goal,
    measured: fmt.ms(ms),
    pass: limit === undefined ? null : ms <= limit,
    value: Math.round(ms * 10) / 10,
    unit: 'ms',
    ...(note ? { note } : {}),
  };
}

function mibRow(figure: string, goal: string, bytes: number, limitMib?: number, note?: string) {
  return {
    group: 'compute',
    figure,
    goal,
    measured: fmt.mib(bytes),
    pass: limitMib === undefined ? null : bytes <= limitMib * 2 ** 20,
    value: bytes,
    unit: 'bytes',
    ...(note ? { note } : {}),
  } satisfies Row;
}

const spread = (values: number[]) => `all: ${values.map((v) => Math.round(v)).join(', ')} ms`;

export async function benchCompute(o: ComputeOptions): Promise<Row[]> {
  const dataDir = makeDataDir('compute');
  const rows: Row[] = [];
  let server: Started | undefined;
  try {
    server = await startLocalApi(dataDir, {
      NEON_LOCAL_COMPUTES: '1',
      NEON_LOCAL_SEED: '0',
      NEON_LOCAL_OPERATION_MS: '0',
      // Never suspended by the clock: the bench suspends and starts computes itself.
      NEON_LOCAL_SUSPEND_TIMEOUT_SECONDS: '0',
      // Neon's free-plan limit (10) would stop the many-branches figure.
      NEON_LOCAL_BRANCHES_PER_PROJECT: String(Math.max(o.branches, o.repeats) + 1),
    });
    const api = new Api(server.url);

    // A project: initdb, then the owner logs in.
    let began = performance.now();
    const created = await api.call('POST', '/projects', {
      project: { name: 'bench-compute', branch: { role_name: 'owner' } },
    });
    const projectId: string = created.project.id;
    const mainId: string = created.branch.id;
    const endpointId: string = created.endpoints[0].id;
    const owner: Login = {
      host: created.endpoints[0].host,
      user: 'owner',
      password: (created.roles as Body[]).find((r) => r.name === 'owner')!.password,
      database: 'neondb',
    };
    rows.push(
      row('new project → owner’s first login', '—', await untilItWorks(owner, 'select 1', began)),
    );
    await api.settle(projectId);

    // Create user → first successful login, the compute running.
    const logins: number[] = [];
    for (let i = 0; i < o.repeats; i++) {
      began = performance.now();
      const { role } = await api.call('POST', `/projects/${projectId}/branches/${mainId}/roles`, {
        role: { name: `user_${i}` },
      });
      const login = { ...owner, user: role.name, password: role.password };
      logins.push(await untilItWorks(login, 'select 1', began));
      await api.settle(projectId);
    }
    rows.push(
      row('create user → first successful login', '≤ 50 ms', median(logins), 50, spread(logins)),
    );

    // Memory of the running compute: idle (the logins' backends gone), and with one session.
    const idlePids = await withoutSessions(dataDir, mainId);
    const idle = memoryOf(idlePids);
    const session = pgClient(owner);
    await session.connect();
    await session.query('select count(*) from pg_class');
    const busy = memoryOf(postgresOf(dataDir, mainId));
    await session.end();
    rows.push(
      mibRow(
        'RSS per running compute, idle',
        '≤ 40 MiB',
        idle.rss,
        40,
        `PSS ${fmt.mib(idle.pss)}, ${idlePids.length} processes`,
      ),
      mibRow(
        'RSS per running compute, one session',
        '—',
        busy.rss,
        undefined,
        `PSS ${fmt.mib(busy.pss)}`,
      ),
    );

    // Wake from idle → first query.
    const wakes: number[] = [];
    for (let i = 0; i < o.repeats; i++) {
      await api.call('POST', `/projects/${projectId}/endpoints/${endpointId}/suspend`);
      await api.settle(projectId);
      const { endpoint } = await api.call('GET', `/projects/${projectId}/endpoints/${endpointId}`);
      if (endpoint.current_state !== 'idle') throw new Error('the compute did not suspend');
      began = performance.now();
      await query(owner, 'select 1');
      wakes.push(performance.now() - began);
    }
    rows.push(row('wake from idle → first query', '≤ 300 ms', median(wakes), 300, spread(wakes)));

    // Branch from a parent holding ~50 MB → first query on the child.
    o.log(`compute: loading ${o.fillerRows} rows into the parent`);
    const loader = pgClient(owner);
    await loader.connect();
    await loader.query(
      `create table filler as select g as id, repeat(md5(g::text), 3) as body from generate_series(1, ${o.fillerRows}) g`,
    );
    const size = Number(
      (await loader.query("select pg_database_size('neondb') as size")).rows[0].size,
    );
    await loader.end();
    const branchTimes: number[] = [];
    let childId = '';
    for (let i = 0; i < o.repeats; i++) {
      began = performance.now();
      const child = await api.call('POST', `/projects/${projectId}/branches`, {
        branch: { name: `copy-${i}` },
        endpoints: [{ type: 'read_write' }],
      });
      childId = child.branch.id;
      const login = { ...owner, host: child.endpoints[0].host };
      branchTimes.push(await untilItWorks(login, 'select count(*) from filler', began));
      await api.settle(projectId);
    }
    rows.push(
      row(
        `branch from a parent of ${fmt.mib(size)} → first query on the child`,
        '≤ 1 s',
        median(branchTimes),
        1000,
        spread(branchTimes),
      ),
    );
    const root = (id: string) => path.join(dataDir, 'computes', id);
    rows.push(
      mibRow('disk of the 50 MB parent (cluster, base copy, WAL archive)', '—', du(root(mainId))),
      // What the branch adds: its base/ and the parent's WAL it holds are hard links.
      mibRow('disk one branch of it adds', '—', du(root(mainId), root(childId)) - du(root(mainId))),
    );

    rows.push(...(await manyBranches(api, dataDir, o)));
  } finally {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}

/** N branches of a small project, none running then `running` of them: list latency and RSS. */
async function manyBranches(api: Api, dataDir: string, o: ComputeOptions): Promise<Row[]> {
  const project = await api.call('POST', '/projects', { project: { name: 'bench-many' } });
  const projectId: string = project.project.id;
  await api.settle(projectId);
  o.log(`compute: making ${o.branches} branches`);
  const branches: Array<{ id: string; endpointId: string }> = [
    { id: project.branch.id, endpointId: project.endpoints[0].id },
  ];
  while (branches.length < o.branches) {
    const { branch, endpoints } = await api.call('POST', `/projects/${projectId}/branches`, {
      endpoints: [{ type: 'read_write' }],
    });
    branches.push({ id: branch.id, endpointId: endpoints[0].id });
    await api.settle(projectId);
  }
  const setState = async (action: 'suspend' | 'start', some: typeof branches) => {
    for (const b of some) {
      await api.call('POST', `/projects/${projectId}/endpoints/${b.endpointId}/${action}`);
      await api.settle(projectId);
    }
  };
  await setState('suspend', branches);
  const lists = async () => ({
    branches: await listLatency(api, `/projects/${projectId}/branches`, o.listRequests),
    endpoints: await listLatency(api, `/projects/${projectId}/endpoints`, o.listRequests),
  });
  await lists(); // warm-up: the first requests of a fresh server are slower
  const none = await lists();
  await setState('start', branches.slice(0, o.running));
  const some = await lists();
  let rss = 0;
  let pss = 0;
  for (const b of branches) {
    const m = memoryOf(postgresOf(dataDir, b.id));
    rss += m.rss;
    pss += m.pss;
  }
  const label = `${o.branches} branches, ${o.running} running`;
  const ratio = (a: number, b: number) => a / b;
  const out: Row[] = [];
  for (const list of ['branches', 'endpoints'] as const) {
    const r = ratio(some[list].median, none[list].median);
    out.push({
      group: 'compute',
      figure: `list ${list} (median), ${label} ÷ none running`,
      goal: '≤ 1.25× (unchanged)',
      measured: fmt.ratio(r),
      pass: r <= 1.25,
      value: Math.round(r * 100) / 100,
      unit: 'ratio',
      note: `${fmt.ms(some[list].median)} vs ${fmt.ms(none[list].median)}; p99 ${fmt.ms(some[list].p99)} vs ${fmt.ms(none[list].p99)}`,
    });
  }
  out.push(
    mibRow(`total RSS of the computes, ${label}`, '—', rss, undefined, `PSS ${fmt.mib(pss)}`),
  );
  return out;
}
