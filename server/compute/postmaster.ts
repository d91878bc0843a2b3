import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { postgresBinaries } from './postgres-binaries.ts';
import { postgresUser } from './os-user.ts';
import { postgresEnv } from './cluster-init.ts';

/**
 * One running postmaster, tied to our process's life. Postgres runs under a tiny `sh`
 * watchdog whose stdin is a pipe from us: when the pipe closes — we stopped it, exited, or
 * were killed with SIGKILL — the watchdog asks the postmaster for a fast shutdown. The
 * postmaster itself does not hold the pipe. Its own children (backends, checkpointer…)
 * exit by themselves when the postmaster dies, so nothing outlives us.
 */
const WATCHDOG = [
  'exec 3<&0 </dev/null', // keep our pipe on fd 3; Postgres gets no stdin
  '"$0" "$@" 3<&- &',
  'pg=$!',
  '{ while read -r _ <&3; do :; done; kill -INT "$pg" 2>/dev/null; } &',
  'guard=$!',
  'exec 3<&-',
  'wait "$pg"; code=$?',
  'kill "$guard" 2>/dev/null',
  'exit "$code"',
].join('\n');

export interface StartOptions {
  pgdata: string;
  port: number;
  logFile: string;
  /** How long to wait for "ready" (crash recovery or point-in-time replay can take a while). */
  readyTimeoutMs?: number;
}

export class PostmasterError extends Error {}

export class Postmaster {
  /** Settles when the postmaster is gone (its exit code, or null when killed by a signal). */
  readonly exited: Promise<number | null>;
  private exitedNow = false;

  private constructor(
    private readonly watchdog: ChildProcess,
    readonly pid: number,
    readonly port: number,
    exited: Promise<number | null>,
  ) {
    this.exited = exited;
    void exited.then(() => (this.exitedNow = true));
  }

  get running(): boolean {
    return !this.exitedNow;
  }

  static async start(options: StartOptions): Promise<Postmaster> {
    const { postgres } = postgresBinaries();
    const { uid, gid } = postgresUser();
    const logOffset = fileSize(options.logFile);
    const log = fs.openSync(options.logFile, 'a', 0o600);
    let watchdog: ChildProcess;
    try {
      watchdog = spawn(
        '/bin/sh',
        ['-c', WATCHDOG, postgres, '-D', options.pgdata, '-p', String(options.port)],
        {
          uid,
          gid,
          cwd: options.pgdata,
          env: postgresEnv(),
          stdio: ['pipe', log, log],
          // Its own session: a Ctrl-C in our terminal reaches us, and we stop Postgres.
          detached: true,
        },
      );
    } finally {
      fs.closeSync(log);
    }
    // Neither the child nor its pipe keeps our event loop alive: if we exit, the pipe
    // closes and the watchdog stops Postgres.
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    watchdog.stdin?.on('error', () => {});
    const exited = new Promise<number | null>((resolve) => {
      watchdog.once('exit', (code) => resolve(code));
      watchdog.once('error', () => resolve(null));
    });

    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
    let gone = false;
    void exited.then(() => (gone = true));
    for (;;) {
      const pidFile = readPidFile(options.pgdata);
      if (
        pidFile &&
        pidFile.port === options.port &&
        pidFile.status === 'ready' &&
        parentPid(pidFile.pid) === watchdog.pid
      ) {
        return new Postmaster(watchdog, pidFile.pid, options.port, exited);
      }
      if (gone) {
        throw new PostmasterError(
          `Postgres did not start: ${logSince(options.logFile, logOffset) || 'no message'}`,
        );
      }
      if (Date.now() > deadline) {
        watchdog.stdin?.end();
        if (pidFile && parentPid(pidFile.pid) === watchdog.pid) signal(pidFile.pid, 'SIGQUIT');
        await Promise.race([exited, sleep(5000)]);
        throw new PostmasterError(
          `Postgres did not become ready within ${options.readyTimeoutMs ?? 30_000} ms: ${logSince(options.logFile, logOffset) || 'no message'}`,
        );
      }
      await sleep(pidFile?.status === 'starting' ? 5 : 10);
    }
  }

  /** Fast shutdown (sessions are ended, a checkpoint is written); escalates on timeout. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.running) return;
    signal(this.pid, 'SIGINT');
    this.watchdog.stdin?.end();
    if (await settlesWithin(this.exited, timeoutMs)) return;
    signal(this.pid, 'SIGQUIT'); // immediate shutdown: crash recovery at the next start
    if (await settlesWithin(this.exited, 5000)) return;
    signal(this.pid, 'SIGKILL');
    if (!(await settlesWithin(this.exited, 5000))) {
      throw new PostmasterError(`Postgres (pid ${this.pid}) did not stop`);
    }
  }
}

export interface PidFile {
  pid: number;
  dataDir: string;
  port: number;
  status: string;
}

/** postmaster.pid: pid, data dir, start time, port, socket dir, listen address, shmem key, status. */
export function readPidFile(pgdata: string): PidFile | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return {
    pid,
    dataDir: lines[1] ?? '',
    port: Number(lines[3]),
    status: (lines[7] ?? '').trim(),
  };
}

/**
 * Finds a postmaster left running on this data directory by an earlier run of ours (after a
 * kill -9 of the server, before its watchdog acted, or from a version without one) and
 * stops it; removes a stale postmaster.pid. Returns what it found.
 */
export async function takeOverDataDir(
  pgdata: string,
  timeoutMs = 20_000,
): Promise<'none' | 'stale-pid-file' | 'stopped-running-postmaster'> {
  const pidFile = readPidFile(pgdata);
  if (!pidFile) return 'none';
  if (!isPostmasterOf(pidFile.pid, pgdata)) {
    // Postgres would refuse to start if the recorded pid now belongs to another process.
    fs.rmSync(path.join(pgdata, 'postmaster.pid'), { force: true });
    return 'stale-pid-file';
  }
  const steps: [NodeJS.Signals, number][] = [
    ['SIGINT', timeoutMs],
    ['SIGQUIT', 5000],
    ['SIGKILL', 5000],
  ];
  for (const [sig, wait] of steps) {
    signal(pidFile.pid, sig);
    const deadline = Date.now() + wait;
    while (Date.now() < deadline) {
      if (!isPostmasterOf(pidFile.pid, pgdata)) return 'stopped-running-postmaster';
      await sleep(20);
    }
  }
  throw new PostmasterError(`A postmaster (pid ${pidFile.pid}) on ${pgdata} would not stop`);
}

/** Whether pid is a live postgres process whose working directory is this data directory. */
function isPostmasterOf(pid: number, pgdata: string): boolean {
  try {
    const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    if (comm !== 'postgres') return false;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/\) [ZX] /.test(stat)) return false; // a zombie is already dead
    return fs.realpathSync(`/proc/${pid}/cwd`) === fs.realpathSync(pgdata);
  } catch {
    return false;
  }
}

function parentPid(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid …; comm may hold spaces or parentheses, so split after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** The log lines Postgres wrote since an offset, for error messages (FATAL/ERROR/PANIC first). */
export function logSince(file: string, offset: number): string {
  let text = '';
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const start = Math.max(offset, size - 16_384);
      const buffer = Buffer.alloc(size - start);
      fs.readSync(fd, buffer, 0, buffer.length, start);
      text = buffer.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
  const lines = text.split('\n').filter(Boolean);
  // The serious lines, and the LOG lines that explain them (which parameter, which file).
  const serious = lines.filter((line) =>
    /\b(FATAL|PANIC|ERROR):|invalid|syntax error|parameter "/.test(line),
  );
  return (serious.length > 0 ? serious : lines.slice(-5))
    .map((line) => line.replace(/^\S+ \S+ \S+ \[\d+\] /, ''))
    .join('; ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
