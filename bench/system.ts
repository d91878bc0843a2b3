import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { API_KEY, makeDataDir, startLocalApi } from './api.ts';
import { buildConsole } from './lib/bundle-size.ts';
import { freePort, ROOT, rssOf, serverStart, stopChild, waitForHttp } from './lib/processes.ts';
import { createApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { fmt, median, type Row } from './lib/report.ts';
import { BIG_BRANCH_ROLES, seedBenchData } from './lib/seed.ts';

function hwmOf(pid: number | undefined): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** RSS of the server process (as `npm start` runs it) holding a 10,000-role branch. */
export async function benchMemory({ log }: { log: (line: string) => void }): Promise<Row[]> {
  const dataDir = makeDataDir('memory');
  try {
    const data = seedBenchData(dataDir);
    const server = await startLocalApi(dataDir);
    try {
      const atStart = server.rssBytes()!;
      const url = `${server.url}/api/v2/projects/${data.projectId}/branches/${data.bigBranchId}/roles`;
      const requests = 50;
      log(`memory: listing the ${BIG_BRANCH_ROLES}-role branch ${requests}× (4 at a time)`);
      for (let i = 0; i < requests; i += 4) {
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            const res = await fetch(url, { headers: { authorization: `Bearer ${API_KEY}` } });
            if (res.status !== 200) throw new Error(`list: HTTP ${res.status}`);
            await res.arrayBuffer();
          }),
        );
      }
      const after = server.rssBytes()!;
      const peak = hwmOf(server.child.pid) ?? after;
      const row = (figure: string, bytes: number): Row => ({
        group: 'memory',
        figure,
        goal: '—',
        measured: fmt.mib(bytes),
        pass: null,
        value: bytes,
        unit: 'bytes',
      });
      return [
        row(
          `server RSS, ${BIG_BRANCH_ROLES.toLocaleString('en-US')} roles stored, after start`,
          atStart,
        ),
        row(`server RSS after serving that list ${requests}×`, after),
        row('server peak RSS (VmHWM) during those lists', peak),
      ];
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * `npm start` to ready, warm, with the computes on (NEON_LOCAL_COMPUTES's default): the
 * console is already built (into a temp dir the server is pointed at, so it does not
 * rebuild), the server's bundle is fresh, and the data dir holds the demo project with its
 * branches' clusters (made by a first start that waits for them; not counted). A warm start
 * starts no Postgres: computes start on the first connection. Ready = the port answers
 * GET / with the console's HTML. Includes npm's own start-up, as a user sees it.
 */
export async function benchStartup({
  repeats,
  log,
}: {
  repeats: number;
  log: (line: string) => void;
}): Promise<Row[]> {
  const dataDir = makeDataDir('startup');
  const consoleDir = makeDataDir('startup-dist');
  try {
    log('startup: building the console once (warm start needs a build)');
    buildConsole(consoleDir);
    const env = {
      ...process.env,
      NEON_LOCAL_DATA_DIR: dataDir,
      NEON_LOCAL_CONSOLE_DIR: consoleDir,
      NEON_API_KEY: API_KEY,
      NEON_LOCAL_QUIET: '1',
    };
    log('startup: making the demo project and its clusters');
    await makeDemoClusters(env);
    const time = async (command: string, args: string[]): Promise<number> => {
      const port = await freePort();
      const started = performance.now();
      const child = spawn(command, args, {
        cwd: ROOT,
        detached: true,
        stdio: 'ignore',
        env: { ...env, PORT: String(port) },
      });
      try {
        await waitForHttp(`http://127.0.0.1:${port}/`, 60_000, child, 5);
        return performance.now() - started;
      } finally {
        await stopChild(child);
      }
    };
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const [cmd, args] = serverStart();
    await time(cmd, args); // makes the bundle if it is stale; not counted
    const npmStart: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < repeats; i++) {
      npmStart.push(await time(npm, ['start']));
      direct.push(await time(cmd, args));
    }
    log(`startup: npm start ${npmStart.map((t) => t.toFixed(0)).join(', ')} ms`);
    return [
      {
        group: 'startup',
        figure: '`npm start` to ready (warm, computes on)',
        goal: '≤ 1 s',
        measured: fmt.ms(median(npmStart)),
        pass: median(npmStart) <= 1000,
        value: median(npmStart),
        unit: 'ms',
        note: `runs: ${npmStart.map((t) => t.toFixed(0)).join(', ')} ms`,
      },
      {
        group: 'startup',
        figure: '`node server/start.mjs` to ready (no npm)',
        goal: '—',
        measured: fmt.ms(median(direct)),
        pass: null,
        value: median(direct),
        unit: 'ms',
      },
    ];
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(consoleDir, { recursive: true, force: true });
  }
}

/** Seeds the demo project in the data dir and waits until each branch has its cluster. */
async function makeDemoClusters(env: Record<string, string | undefined>): Promise<void> {
  const server = createApp(loadConfig(env));
  try {
    await server.computes!.settled;
  } finally {
    await server.close();
  }
}

export { rssOf };
