import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { LoadGenerator, type LoadJob, type LoadResult } from './lib/load.ts';
import {
  freePort,
  nodeTs,
  ROOT,
  serverStart,
  startProcess,
  type Started,
} from './lib/processes.ts';
import { fmt, median, type Row } from './lib/report.ts';
import { BIG_BRANCH_ROLES, seedBenchData, SMALL_BRANCH_ROLES, type BenchData } from './lib/seed.ts';
import { testServerEnv } from '../test/support/test-env.ts';

export interface ApiOptions {
  repeats: number;
  durationS: number;
  connections: number[];
  /** Requests per mutation run, by connection count. */
  mutationAmount: (connections: number) => number;
  log: (line: string) => void;
}

export const API_KEY = 'bench-api-key';
const SPEC = path.join(ROOT, 'node_modules/@neondatabase/api-client/public-v2-for-users.gen.yaml');

/**
 * The local server exactly as `npm start` runs it, minus the console build, on a durable temp
 * data dir; `command` runs it another way (under a profiler, say).
 */
export async function startLocalApi(
  dataDir: string,
  extraEnv: Record<string, string> = {},
  [cmd, args]: [string, string[]] = serverStart(),
): Promise<Started> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startProcess(cmd, args, {
    url,
    readyUrl: `${url}/api/v2/users/me`,
    env: testServerEnv({
      NEON_LOCAL_DATA_DIR: dataDir,
      NEON_LOCAL_SKIP_BUILD: '1',
      PORT: String(port),
      NEON_API_KEY: API_KEY,
      // The seed's 10,000-role branch and the create loads are far past Neon's 500 per branch.
      NEON_LOCAL_ROLES_PER_BRANCH: '0',
      ...extraEnv,
    }),
  });
}

/**
 * Neon's spec with the list-roles example replaced by the local server's 50-role answer,
 * so that Prism serves the same list (it answers an operation's example as is).
 */
function specServing(listBody: string): string {
  const spec = YAML.parse(fs.readFileSync(SPEC, 'utf8')) as {
    paths: Record<
      string,
      { get: { responses: Record<string, { content: Record<string, { example?: unknown }> }> } }
    >;
  };
  const media =
    spec.paths['/projects/{project_id}/branches/{branch_id}/roles']!.get.responses['200']!.content[
      'application/json'
    ]!;
  media.example = JSON.parse(listBody);
  return JSON.stringify(spec);
}

export function makeDataDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `neon-bench-${tag}-`));
}

type Target = 'local' | 'bare' | 'hono' | 'prism';
interface ListCase {
  target: Target;
  branch: 'small' | 'big';
}

const rolesPath = (data: BenchData, branch: 'small' | 'big') =>
  `/api/v2/projects/${data.projectId}/branches/${branch === 'small' ? data.smallBranchId : data.bigBranchId}/roles`;

const branchLabel = (b: 'small' | 'big') =>
  b === 'small'
    ? `${SMALL_BRANCH_ROLES} roles`
    : `${BIG_BRANCH_ROLES.toLocaleString('en-US')} roles`;

function describe(r: LoadResult): string {
  const bad = r.non2xx + r.errors;
  const cpu = r.serverCpuUs === undefined ? '' : ` · ${Math.round(r.serverCpuUs)} µs CPU/req`;
  return `${fmt.rps(r.rps)} · p50 ${r.p50} ms · p99 ${r.p99} ms${cpu}${bad ? ` · ${bad} non-2xx/errors` : ''}`;
}

function medianResult(results: LoadResult[]): LoadResult {
  return {
    requests: median(results.map((r) => r.requests)),
    durationS: median(results.map((r) => r.durationS)),
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    max: median(results.map((r) => r.max)),
    non2xx: results.reduce((s, r) => s + r.non2xx, 0),
    errors: results.reduce((s, r) => s + r.errors, 0),
    statuses: {},
    serverCpuUs: results.every((r) => r.serverCpuUs !== undefined)
      ? median(results.map((r) => r.serverCpuUs!))
      : undefined,
  };
}

export interface ApiOutcome {
  rows: Row[];
  /** RSS of the server holding the 10,000-role branch, after it served the list benchmarks. */
  rssBytes?: number;
  rssAtStartBytes?: number;
}

export async function benchApi(o: ApiOptions): Promise<ApiOutcome> {
  const dataDir = makeDataDir('api');
  const bodiesDir = makeDataDir('bodies');
  o.log(
    `api: seeding ${SMALL_BRANCH_ROLES} and ${BIG_BRANCH_ROLES} roles through the store in ${dataDir}`,
  );
  const data = seedBenchData(dataDir);
  const started: Started[] = [];
  const load = new LoadGenerator();
  try {
    const local = await startLocalApi(dataDir);
    started.push(local);
    const rssAtStartBytes = local.rssBytes();
    const headers = { authorization: `Bearer ${API_KEY}` };

    // The bare server answers the very bytes the local server returns for each list.
    const routes: Record<string, string> = {};
    for (const b of ['small', 'big'] as const) {
      const res = await fetch(local.url + rolesPath(data, b), { headers });
      if (res.status !== 200) throw new Error(`list ${b}: HTTP ${res.status}`);
      const file = path.join(bodiesDir, `${b}.json`);
      fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      routes[rolesPath(data, b)] = file;
    }
    /** A floor to compare with: `script` serves `routes` (path → file of bytes) on a free port. */
    const startFloor = async (script: string) => {
      const port = await freePort();
      const [cmd, args] = nodeTs(script, [String(port), JSON.stringify(routes)]);
      const url = `http://127.0.0.1:${port}`;
      const server = await startProcess(cmd, args, { url, readyUrl: url });
      started.push(server);
      return server;
    };
    const bare = await startFloor('bench/bare-server.ts');
    const hono = await startFloor('bench/hono-server.ts');
    const bareUrl = bare.url;
    const honoUrl = hono.url;

    o.log('api: starting Prism (stateless mock of Neon’s spec)…');
    const prismPort = await freePort();
    const prismUrl = `http://127.0.0.1:${prismPort}`;
    // Prism mounts the spec at /, not /api/v2.
    const prismPath = (b: 'small' | 'big') => rolesPath(data, b).replace('/api/v2', '');
    let prism: Started | undefined;
    let prismBytes = NaN;
    let prismProblem: string | undefined;
    try {
      const prismSpec = path.join(bodiesDir, 'spec.json');
      fs.writeFileSync(
        prismSpec,
        specServing(fs.readFileSync(routes[rolesPath(data, 'small')]!, 'utf8')),
      );
      prism = await startProcess(
        path.join(ROOT, 'node_modules/.bin/prism'),
        ['mock', '-h', '127.0.0.1', '-p', String(prismPort), prismSpec],
        { url: prismUrl, readyUrl: prismUrl, timeoutMs: 120_000 },
      );
      started.push(prism);
      const check = await fetch(prismUrl + prismPath('small'), { headers });
      if (check.status !== 200) throw new Error(`Prism answered ${check.status} to the list`);
      prismBytes = (await check.arrayBuffer()).byteLength;
    } catch (err) {
      // Without Prism the rest still runs; its figures say "not measured".
      prismProblem = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      o.log(`api: Prism unavailable: ${prismProblem}`);
    }

    const listJob = (c: ListCase, connections: number, durationS: number): LoadJob => {
      const base = { local: local.url, bare: bareUrl, hono: honoUrl, prism: prismUrl }[c.target];
      const p = c.target === 'prism' ? prismPath(c.branch) : rolesPath(data, c.branch);
      return { url: base + p, connections, durationS, headers };
    };

    // A run ends with requests still queued in the server (autocannon drops its sockets, the
    // server still answers what it read): wait until a probe gets through before the next run.
    const settle = async (target: Target) => {
      const probe =
        target === 'local'
          ? `${local.url}/api/v2/users/me`
          : target === 'prism'
            ? prismUrl + prismPath('small')
            : { bare: bareUrl, hono: honoUrl }[target] + rolesPath(data, 'small');
      await (await fetch(probe, { headers, signal: AbortSignal.timeout(60_000) })).arrayBuffer();
      await new Promise((r) => setTimeout(r, 200));
    };
    const servers: Record<Target, Started | undefined> = { local, bare, hono, prism };
    const measure = async (target: Target, job: LoadJob) => {
      const cpuBefore = servers[target]?.cpuMs();
      const r = await load.run(job);
      // Read before settling: the backlog served after the run is not in r.requests.
      // (Up to `connections` requests in flight at the end still bias it upwards when
      // requests are slow, so the summary row uses 1 connection.)
      const cpuAfter = servers[target]?.cpuMs();
      await settle(target);
      // CPU per request hardly depends on what else runs on the machine, unlike req/s.
      if (cpuBefore !== undefined && cpuAfter !== undefined && r.requests > 0) {
        r.serverCpuUs = ((cpuAfter - cpuBefore) * 1000) / r.requests;
      }
      return r;
    };

    // Prism has one example per operation, so it stands in for the 50-role list only.
    const cases: ListCase[] = [
      { target: 'local', branch: 'small' },
      { target: 'bare', branch: 'small' },
      { target: 'hono', branch: 'small' },
      { target: 'prism', branch: 'small' },
      { target: 'local', branch: 'big' },
      { target: 'bare', branch: 'big' },
    ].filter((c) => c.target !== 'prism' || prism) as ListCase[];
    o.log('api: warm-up');
    // Long enough for the JIT to settle in every server (a cold one costs several times more CPU per request).
    for (const c of cases) await measure(c.target, listJob(c, 10, o.durationS));

    // Interleaved rounds: each repeat runs every case once, so slow drift of the machine
    // (other work on the 2 cores) spreads over all of them instead of one.
    const lists = new Map<string, LoadResult[]>();
    const key = (c: ListCase, n: number) => `${c.target}/${c.branch}/${n}`;
    for (let rep = 0; rep < o.repeats; rep++) {
      for (const n of o.connections) {
        for (const c of cases) {
          const r = await measure(c.target, listJob(c, n, o.durationS));
          lists.set(key(c, n), [...(lists.get(key(c, n)) ?? []), r]);
        }
      }
      o.log(`api: list round ${rep + 1}/${o.repeats} done`);
    }
    const rssBytes = local.rssBytes();

    const mutations = new Map<string, LoadResult[]>();
    const kinds = ['create', 'reset', 'delete'] as const;
    for (let rep = 0; rep < o.repeats; rep++) {
      for (const b of ['small', 'big'] as const) {
        for (const n of o.connections) {
          const amount = o.mutationAmount(n);
          const prefix = `bench_${b}_c${n}_r${rep}`;
          // create → reset → delete the same names, so each branch ends as it began.
          for (const kind of kinds) {
            const r = await measure('local', {
              url: local.url,
              connections: n,
              amount,
              headers,
              vary: { kind, rolesPath: rolesPath(data, b), prefix, count: amount },
            });
            const k = `${kind}/${b}/${n}`;
            mutations.set(k, [...(mutations.get(k) ?? []), r]);
          }
        }
      }
      o.log(`api: mutation round ${rep + 1}/${o.repeats} done`);
    }

    // ---- rows ----
    const rows: Row[] = [];
    const targetLabel: Record<Target, string> = {
      local: 'local API',
      bare: 'bare node:http',
      hono: 'bare Hono (framework floor)',
      prism: 'Prism mock',
    };
    for (const c of cases) {
      for (const n of o.connections) {
        const m = medianResult(lists.get(key(c, n))!);
        rows.push({
          group: 'api',
          figure: `list ${branchLabel(c.branch)}, ${targetLabel[c.target]}, ${n} conn`,
          goal: '—',
          measured: describe(m),
          pass: null,
          value: m.rps,
          unit: 'req/s',
          note: `p50 ${m.p50} ms, p99 ${m.p99} ms, max ${m.max} ms`,
        });
      }
    }
    for (const kind of kinds) {
      for (const b of ['small', 'big'] as const) {
        for (const n of o.connections) {
          const m = medianResult(mutations.get(`${kind}/${b}/${n}`)!);
          const goal = n === 10;
          rows.push({
            group: 'api',
            figure: `${kind} role on ${branchLabel(b)}, ${n} conn`,
            goal: goal ? 'p99 ≤ 10 ms' : '—',
            measured: describe(m),
            pass: goal ? m.p99 <= 10 && m.non2xx + m.errors === 0 : null,
            value: m.p99,
            unit: 'ms p99',
            note: `${fmt.rps(m.rps)}, p50 ${m.p50} ms`,
          });
        }
      }
    }

    // Ratios are taken per round (cases of one round ran back to back) and their median reported.
    const ratio = (a: ListCase, b: ListCase, n: number, f: (r: LoadResult) => number) =>
      median(lists.get(key(a, n))!.map((r, i) => f(r) / f(lists.get(key(b, n))![i]!)));
    for (const branch of ['small', 'big'] as const) {
      const l: ListCase = { target: 'local', branch };
      for (const n of o.connections) {
        if (branch === 'small' && !prism) {
          rows.push({
            group: 'api goal',
            figure: `list ${branchLabel(branch)} throughput ÷ Prism’s, ${n} conn`,
            goal: '≥ 30×',
            measured: 'not measured',
            pass: null,
            note: `Prism did not start: ${prismProblem}`,
          });
        } else if (branch === 'small') {
          const vsPrism = ratio(l, { target: 'prism', branch }, n, (r) => r.rps);
          rows.push({
            group: 'api goal',
            figure: `list ${branchLabel(branch)} throughput ÷ Prism’s, ${n} conn`,
            goal: '≥ 30×',
            measured: fmt.ratio(vsPrism),
            pass: vsPrism >= 30,
            value: vsPrism,
            unit: '×',
          });
        }
        const vsBare = ratio(l, { target: 'bare', branch }, n, (r) => r.rps);
        rows.push({
          group: 'api goal',
          figure: `list ${branchLabel(branch)} throughput ÷ bare server’s, ${n} conn`,
          goal: '≥ 0.33×',
          measured: fmt.ratio(vsBare),
          pass: vsBare >= 1 / 3,
          value: vsBare,
          unit: '×',
        });
      }
      const n = Math.max(...o.connections);
      const n1 = Math.min(...o.connections);
      const cpu = (t: Target) =>
        medianResult(lists.get(key({ target: t, branch }, n1))!).serverCpuUs;
      const [cpuLocal, cpuBare, cpuPrism] = [
        cpu('local'),
        cpu('bare'),
        branch === 'small' && prism ? cpu('prism') : undefined,
      ];
      const cpuHono = branch === 'small' ? cpu('hono') : undefined;
      if (cpuLocal && cpuBare) {
        rows.push({
          group: 'api',
          figure: `list ${branchLabel(branch)}: server CPU per request, bare ÷ local${cpuHono ? ' (bare Hono ÷ local)' : ''}${cpuPrism ? ' (Prism ÷ local)' : ''}, ${n1} conn`,
          goal: '—',
          measured: `${fmt.ratio(cpuBare / cpuLocal)}${cpuHono ? ` (${fmt.ratio(cpuHono / cpuLocal)})` : ''}${cpuPrism ? ` (${fmt.ratio(cpuPrism / cpuLocal)})` : ''}`,
          pass: null,
          value: cpuBare / cpuLocal,
          unit: '×',
          note: 'throughput ratio to expect when the server process has a core to itself; robust to other load',
        });
      }
      const p99 = ratio(l, { target: 'bare', branch }, n, (r) => Math.max(r.p99, 1));
      rows.push({
        group: 'api goal',
        figure: `list ${branchLabel(branch)} p99 ÷ bare server’s, ${n} conn`,
        goal: '≤ 2×',
        measured: fmt.ratio(p99),
        pass: p99 <= 2,
        value: p99,
        unit: '×',
        note: 'p99 of 0 ms counted as 1 ms (autocannon’s 1 ms resolution)',
      });
    }
    rows.push({
      group: 'api',
      figure: 'list response bytes: 50 roles (local, bare) / 10,000 roles / Prism’s 50',
      goal: '—',
      measured: `${fmt.kib(fs.statSync(routes[rolesPath(data, 'small')]!).size)} / ${fmt.kib(fs.statSync(routes[rolesPath(data, 'big')]!).size)} / ${fmt.kib(prismBytes)}`,
      pass: null,
    });
    return { rows, rssBytes, rssAtStartBytes };
  } finally {
    load.close();
    for (const s of started.reverse()) await s.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(bodiesDir, { recursive: true, force: true });
  }
}
