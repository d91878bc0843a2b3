/**
 * Server CPU per request, the figure that hardly moves with other load on the machine:
 * starts the server as `npm start` would (or as given by PROBE_CMD), seeds the bench
 * project, drives N requests per case over keep-alive sockets from a bare node:http
 * client and reads the server's CPU time from /proc before and after.
 *
 *   npx tsx bench/cpu-probe.ts [requests=4000] [connections=1,10,50]
 *   PROBE_PROFILE=dir npx tsx bench/cpu-probe.ts   # also writes the server's .cpuprofile
 */
import http from 'node:http';
import fs from 'node:fs';
import { freePort, startProcess, cpuMsOf, ROOT } from './lib/processes.ts';
import { seedBenchData } from './lib/seed.ts';
import { API_KEY, makeDataDir, startLocalApi } from './api.ts';
import path from 'node:path';

const requests = Number(process.argv[2] ?? 4000);
const connectionCounts = (process.argv[3] ?? '1,10,50').split(',').map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function get(url: string, method = 'GET', body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        agent,
        method,
        headers: {
          authorization: `Bearer ${API_KEY}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function drive(
  n: number,
  connections: number,
  request: (i: number) => Promise<number>,
): Promise<{ wallMs: number; bad: number; latencies: number[] }> {
  let next = 0;
  let bad = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        const status = await request(i);
        latencies.push(performance.now() - t);
        if (status >= 300) bad++;
      }
    }),
  );
  return { wallMs: performance.now() - started, bad, latencies };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const dataDir = makeDataDir('probe');
const data = seedBenchData(dataDir);
const profileDir = process.env.PROBE_PROFILE;
const cmd = process.env.PROBE_CMD
  ? process.env.PROBE_CMD.split(' ')
  : [process.execPath, '--import', 'tsx', path.join(ROOT, 'server/main.ts')];
if (profileDir) cmd.splice(1, 0, '--cpu-prof', `--cpu-prof-dir=${profileDir}`);
const server = await startLocalApi(dataDir, {}, [cmd[0]!, cmd.slice(1)]);
const url = server.url;
const pid = server.child.pid;
const rolesUrl = `${url}/api/v2/projects/${data.projectId}/branches/${data.smallBranchId}/roles`;
const bigRolesUrl = `${url}/api/v2/projects/${data.projectId}/branches/${data.bigBranchId}/roles`;
const cases: Record<string, (i: number) => Promise<number>> = {
  'list 50': () => get(rolesUrl),
  'list 10k': () => get(bigRolesUrl),
  'users/me': () => get(`${url}/api/v2/users/me`),
};
const only = process.env.PROBE_CASES?.split(',');
const refs: { name: string; started: Awaited<ReturnType<typeof startProcess>> }[] = [];
try {
  if (process.env.PROBE_REFS) {
    const bodyFile = path.join(dataDir, 'list.json');
    fs.writeFileSync(
      bodyFile,
      Buffer.from(
        await (
          await fetch(rolesUrl, { headers: { authorization: `Bearer ${API_KEY}` } })
        ).arrayBuffer(),
      ),
    );
    const rolesPathOnly = new URL(rolesUrl).pathname;
    for (const [name, script] of [
      ['bare', 'bench/bare-server.ts'],
      ['hono', 'bench/hono-server.ts'],
    ] as const) {
      const p = await freePort();
      const u = `http://127.0.0.1:${p}`;
      const started = await startProcess(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(ROOT, script),
          String(p),
          JSON.stringify({ [rolesPathOnly]: bodyFile }),
        ],
        { url: u, readyUrl: u },
      );
      refs.push({ name, started });
      cases[`${name} 50`] = () => get(u + rolesPathOnly);
    }
  }
  // Warm the JIT first, on the cases that will run.
  for (const [name, run] of Object.entries(cases))
    if (!only || only.includes(name)) await drive(requests, 10, run);
  for (const [name, run] of Object.entries(cases)) {
    if (only && !only.includes(name)) continue;
    for (const c of connectionCounts) {
      const ref = refs.find((x) => name.startsWith(x.name));
      const target = ref ? ref.started.child.pid : pid;
      const before = cpuMsOf(target)!;
      const r = await drive(requests, c, run);
      const cpuUs = ((cpuMsOf(target)! - before) * 1000) / requests;
      console.log(
        `${name.padEnd(10)} ${String(c).padStart(3)} conn: ${cpuUs.toFixed(0).padStart(4)} µs CPU/req, ` +
          `${((requests / r.wallMs) * 1000).toFixed(0)} req/s, p50 ${pct(r.latencies, 50).toFixed(2)} ms, p99 ${pct(r.latencies, 99).toFixed(2)} ms${r.bad ? `, ${r.bad} bad` : ''}`,
      );
    }
  }
  if (process.env.PROBE_MUTATIONS) {
    const rolesPath = rolesUrl;
    for (const c of connectionCounts) {
      for (const kind of ['create', 'reset', 'delete'] as const) {
        const n = Math.min(requests, 500);
        const before = cpuMsOf(pid)!;
        const mainBefore = cpuMsOf(pid, pid)!;
        const r = await drive(n, c, (i) =>
          kind === 'create'
            ? get(rolesPath, 'POST', JSON.stringify({ role: { name: `probe_c${c}_${i}` } }))
            : kind === 'reset'
              ? get(`${rolesPath}/probe_c${c}_${i}/reset_password`, 'POST')
              : get(`${rolesPath}/probe_c${c}_${i}`, 'DELETE'),
        );
        const cpuUs = ((cpuMsOf(pid)! - before) * 1000) / n;
        const mainUs = ((cpuMsOf(pid, pid)! - mainBefore) * 1000) / n;
        console.log(
          `${kind.padEnd(10)} ${String(c).padStart(3)} conn: ${cpuUs.toFixed(0).padStart(4)} µs CPU/req ` +
            `(main thread ${mainUs.toFixed(0)}), ` +
            `${((n / r.wallMs) * 1000).toFixed(0)} req/s, p50 ${pct(r.latencies, 50).toFixed(2)} ms, p99 ${pct(r.latencies, 99).toFixed(2)} ms${r.bad ? `, ${r.bad} bad` : ''}`,
        );
      }
    }
  }
} finally {
  agent.destroy();
  for (const r of refs) await r.started.stop();
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
