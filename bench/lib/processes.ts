import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A free loopback port, found by letting the kernel pick one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls the URL until it answers any HTTP status; bounded by `timeoutMs`. Returns ms waited. */
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  child?: ChildProcess,
  intervalMs = 5,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (child && child.exitCode !== null)
      throw new Error(`process for ${url} exited with ${child.exitCode}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      return performance.now() - started;
    } catch {
      if (performance.now() - started > timeoutMs)
        throw new Error(`${url} did not answer within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

export interface Started {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
  /** Resident set size of the process, from /proc (Linux). */
  rssBytes(): number | undefined;
  cpuMs(): number | undefined;
}

/** Ends a process group we started: SIGTERM, then SIGKILL after a grace period. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (signal: NodeJS.Signals) => {
    try {
      // Negative pid: the whole group (npm → sh → node), which we made `detached`.
      process.kill(-child.pid!, signal);
    } catch {
      child.kill(signal);
    }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * CPU time (user + system) a process has used, in ms, from /proc (Linux; 10 ms ticks);
 * with `thread`, that thread's alone (the process's own id is its main thread).
 */
export function cpuMsOf(pid: number | undefined, thread?: number): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = fs.readFileSync(
      thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`,
      'utf8',
    );
    // Fields after the ")" closing the command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

export function rssOf(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Spawns a command in its own process group and waits until `readyUrl` answers.
 * stdout is dropped (servers log each request); stderr is kept for the error message.
 */
export async function startProcess(
  command: string,
  args: string[],
  opts: { env?: Record<string, string>; readyUrl: string; url: string; timeoutMs?: number },
): Promise<Started> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  try {
    await waitForHttp(opts.readyUrl, opts.timeoutMs ?? 60_000, child, 20);
  } catch (err) {
    await stopChild(child);
    throw new Error(`${command} ${args.join(' ')}: ${(err as Error).message}\n${stderr}`);
  }
  return {
    child,
    url: opts.url,
    stop: () => stopChild(child),
    rssBytes: () => rssOf(child.pid),
    cpuMs: () => cpuMsOf(child.pid),
  };
}

/** `node --import tsx <script>`: one process, so its pid is the server's own (for RSS). */
export function nodeTs(script: string, args: string[] = []): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args]];
}

/** What `npm start` runs, without npm: `node server/start.mjs` (the server's bundle). */
export function serverStart(): [string, string[]] {
  return [process.execPath, [path.join(ROOT, 'server', 'start.mjs')]];
}
