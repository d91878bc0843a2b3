import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './processes.ts';

export interface LoadJob {
  url: string;
  connections: number;
  /** Either a duration or a fixed number of requests. */
  durationS?: number;
  amount?: number;
  headers: Record<string, string>;
  /** Mutations: each request names its own role `${prefix}_${i}`, i = 0… (mod count). */
  vary?: { kind: 'create' | 'reset' | 'delete'; rolesPath: string; prefix: string; count: number };
}

export interface LoadResult {
  requests: number;
  durationS: number;
  rps: number;
  /** Latency percentiles in ms (autocannon's histogram has 1 ms resolution). */
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
  /** CPU the server under test spent per request, in µs (filled in by the caller). */
  serverCpuUs?: number;
}

/** A long-lived load-generator process (bench/load-worker.ts) that runs one job at a time. */
export class LoadGenerator {
  private readonly child: ChildProcess;
  private seq = 0;
  private readonly pending = new Map<
    number,
    { resolve: (r: LoadResult) => void; reject: (e: Error) => void }
  >();

  constructor() {
    this.child = fork(path.join(ROOT, 'bench', 'load-worker.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (msg: { id: number; result?: LoadResult; error?: string }) => {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error !== undefined) p?.reject(new Error(msg.error));
      else p?.resolve(msg.result!);
    });
    this.child.on('exit', (code) => {
      for (const p of this.pending.values())
        p.reject(new Error(`load generator exited with ${code}`));
      this.pending.clear();
    });
  }

  run(job: LoadJob): Promise<LoadResult> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, job });
    });
  }

  close(): void {
    if (this.child.connected) this.child.disconnect();
  }
}
