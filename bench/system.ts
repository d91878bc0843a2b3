import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { API_KEY, makeDataDir, startLocalApi } from './api.ts';
import { buildConsole } from './lib/bundle-size.ts';
import { freePort, nodeTs, ROOT, rssOf, stopChild, waitForHttp } from './lib/processes.ts';
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

/** RSS of the server process (node --import tsx server/main.ts) holding a 10,000-role branch. */
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
 * `npm start` to ready, warm: the console is already built (into a temp dir the server is
 * pointed at, so it does not rebuild) and the data dir exists. Ready = the port answers
 * GET / with the console's HTML. Includes npm's and tsx's own start-up, as a user sees it.
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
    const time = async (command: string, args: string[]): Promise<number> => {
      const port = await freePort();
      const started = performance.now();
      const child = spawn(command, args, {
        cwd: ROOT,
        detached: true,
        stdio: 'ignore',
        env: {
          ...process.env,
          PORT: String(port),
          NEON_LOCAL_DATA_DIR: dataDir,
          NEON_LOCAL_CONSOLE_DIR: consoleDir,
          NEON_API_KEY: API_KEY,
          NEON_LOCAL_QUIET: '1',
          // The API's own start; bench/computes.ts measures the computes.
          NEON_LOCAL_COMPUTES: '0',
        },
      });
      try {
        await waitForHttp(`http://127.0.0.1:${port}/`, 60_000, child, 5);
        return performance.now() - started;
      } finally {
        await stopChild(child);
      }
    };
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    await time(npm, ['start']); // first start seeds the demo project; not counted
    const npmStart: number[] = [];
    const direct: number[] = [];
    const [cmd, args] = nodeTs('server/main.ts');
    for (let i = 0; i < repeats; i++) {
      npmStart.push(await time(npm, ['start']));
      direct.push(await time(cmd, args));
    }
    log(`startup: npm start ${npmStart.map((t) => t.toFixed(0)).join(', ')} ms`);
    return [
      {
        group: 'startup',
        figure: '`npm start` to ready (warm)',
        goal: '—',
        measured: fmt.ms(median(npmStart)),
        pass: null,
        value: median(npmStart),
        unit: 'ms',
        note: `runs: ${npmStart.map((t) => t.toFixed(0)).join(', ')} ms`,
      },
      {
        group: 'startup',
        figure: '`node --import tsx server/main.ts` to ready (no npm)',
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

export { rssOf };
