/**
 * The compute engine's facade: real PostgreSQL clusters, one per branch, behind stable
 * endpoint ports. The control plane (store + operations) owns the desired state; this
 * module makes Postgres match it and never decides anything on its own.
 *
 * Contract (every method is async unless noted; all of them time out and reject with an
 * Error whose message carries Postgres's own message when Postgres refused):
 *
 *   ComputeManager.open({ dataDir, log?, desiredState?, defaultSuspendTimeoutSeconds? })
 *     Takes over `<dataDir>/computes/`: a postmaster left running by an earlier run (kill -9
 *     of the server) is stopped, a stale postmaster.pid removed ("took-over" events).
 *   ensureBranch(branchId)          a root branch's cluster exists (initdb the first time;
 *                                   ~1 s). Idempotent. The compute is left stopped.
 *   createBranch(childId, { parent, atLsn?, atTimestamp? }) → { lsn, baseLsn }
 *                                   the child is a copy of the parent at its head, or at an
 *                                   LSN (`0/1A2B3C4`) / ISO timestamp. `lsn` is where the
 *                                   child leaves the parent's WAL (real). Rejects with
 *                                   BranchPointError for a point outside the parent's
 *                                   history. Idempotent for a finished child. The child is
 *                                   left running (it serves at once).
 *   deleteBranch(branchId)          stops it, closes its endpoint, removes its files.
 *   setEndpoint(branchId, { port, suspendTimeoutSeconds })
 *                                   listens on 127.0.0.1:port (stable, chosen by the caller,
 *                                   see allocatePort); a connection wakes the compute, which
 *                                   suspends after suspendTimeoutSeconds with no connection
 *                                   (0 = never). Calling again updates the timeout/port.
 *   removeEndpoint(branchId)        stops listening (the compute keeps running until idle).
 *   start / suspend / restart(branchId)
 *                                   suspend ends the compute's sessions and stops Postgres.
 *   state(branchId) → 'active' | 'idle'   (sync) whether Postgres runs right now.
 *   apply(branchId, DesiredState) → string[]   roles/databases made to match (wakes the
 *                                   compute); returns what changed. See apply-config.ts.
 *   listRoles(branchId), listDatabases(branchId)   what Postgres has (wakes the compute).
 *   currentLsn(branchId, { wake? }) → 'X/X'   pg_current_wal_lsn(); for a stopped compute
 *                                   with wake:false, its last checkpoint (from pg_control).
 *                                   Noted with the time, as is the position after each apply.
 *   history(branchId)               where the branch's history begins (base LSN and time).
 *   timeAtLsn(branchId, lsn)        the latest moment known to be at or before that point.
 *   usage(branchId) → { pids, rssBytes, pssBytes }   (sync) memory of a running compute.
 *   At each suspend, with historyRetentionSeconds, the branch's history is trimmed to its
 *   window (base copies and WAL archive: history-retention.ts; "history" events).
 *   stopAll()                       stops every Postgres this manager started (fast
 *                                   shutdown) and every endpoint listener.
 *
 * Events (the `log` callback): created, branched, started, suspended, stopped, crashed,
 * repaired (the desiredState hook changed something at a start), took-over, error.
 * `desiredState(branchId)`, when given, is applied at every start of a compute before any
 * client connection is passed through, so changes made while it was idle land then.
 *
 * Safety: Postgres runs as an unprivileged OS user under a watchdog that stops it when our
 * process goes away (even with SIGKILL); TLS + SCRAM only; passwords reach Postgres only
 * as SCRAM verifiers; no statement text is ever logged by Postgres.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Cluster, type ClusterEvent } from './cluster.ts';
import { computeLayout, computesDir, type ComputeLayout } from './compute-layout.ts';
import { EndpointProxy } from './endpoint-proxy.ts';
import {
  applyDesiredState,
  listDatabases,
  listRoles,
  type ApplyReport,
  type DesiredState,
} from './apply-config.ts';
import {
  copyAtPoint,
  copyHead,
  finishChild,
  prepareChild,
  takeRecentBase,
  walSinceNewestBase,
} from './branching.ts';
import {
  readHistory,
  recordBase,
  recordWalTime,
  walTimeAt,
  walTimeBy,
  type BranchHistory,
} from './branch-history.ts';
import { takeOverDataDir } from './postmaster.ts';
import { keepHistoryWindow } from './history-retention.ts';
import { checkpointLsn } from './pg-control.ts';
import { formatLsn } from './lsn.ts';
import { allocateEndpointPort } from './endpoint-port.ts';
import { makeTraversable } from './os-user.ts';
import { postgresBinaries } from './postgres-binaries.ts';

export type { DesiredState, ApplyReport } from './apply-config.ts';
export { ApplyError } from './apply-config.ts';
export { BranchPointError } from './branching.ts';

export type ComputeEventType =
  | 'created'
  | 'branched'
  | 'started'
  | 'suspended'
  | 'stopped'
  | 'crashed'
  | 'repaired'
  | 'took-over'
  | 'deleted'
  | 'history'
  | 'error';

export interface ComputeEvent {
  branchId: string;
  type: ComputeEventType;
  message: string;
}

export interface ComputeManagerOptions {
  dataDir: string;
  log?: (event: ComputeEvent) => void;
  desiredState?: (branchId: string) => Promise<DesiredState | undefined> | DesiredState | undefined;
  /** For computes started without an endpoint (by apply, listRoles…). Default 300; 0 = never. */
  defaultSuspendTimeoutSeconds?: number;
  /** The branch's history window (its project's history_retention_seconds); none: kept whole. */
  historyRetentionSeconds?: (branchId: string) => number | undefined;
}

export interface EndpointSettings {
  port: number;
  suspendTimeoutSeconds: number;
}

interface Compute {
  branchId: string;
  layout: ComputeLayout;
  cluster: Cluster;
  leases: number;
  idleTimer?: NodeJS.Timeout;
  waking?: Promise<number>;
  endpoint?: EndpointSettings & { proxy: EndpointProxy };
  /** Suspend/stop asked for: the "stopped" event is then not a crash. */
  stopping: boolean;
  /** The endpoint change under way: the next one waits for it. */
  endpointChange?: Promise<unknown>;
}

/** A free port for an endpoint (the caller keeps it for the endpoint's life). */
export const allocatePort = allocateEndpointPort;

export class ComputeManager {
  private readonly computes = new Map<string, Compute>();
  private readonly branchLocks = new Map<string, Promise<unknown>>();
  private closed = false;

  private constructor(private readonly options: ComputeManagerOptions) {}

  static async open(options: ComputeManagerOptions): Promise<ComputeManager> {
    const manager = new ComputeManager(options);
    const root = computesDir(options.dataDir);
    fs.mkdirSync(root, { recursive: true, mode: 0o711 });
    for (const dir of makeTraversable(root)) {
      manager.emit('-', 'took-over', `made ${dir} searchable (o+x) for the Postgres user`);
    }
    // The same for the programs: a clone under a private directory (mkdtemp's 0700) would
    // otherwise fail every initdb and start with `spawn EACCES`.
    for (const dir of makeTraversable(postgresBinaries().binDir)) {
      manager.emit(
        '-',
        'took-over',
        `made ${dir} searchable (o+x) so the Postgres user can run the PostgreSQL programs`,
      );
    }
    for (const branchId of fs.readdirSync(root)) {
      const pgdata = path.join(root, branchId, 'pgdata');
      if (!fs.existsSync(pgdata)) continue;
      const found = await takeOverDataDir(pgdata);
      if (found === 'stopped-running-postmaster') {
        manager.emit(branchId, 'took-over', 'stopped a postmaster left running by an earlier run');
      } else if (found === 'stale-pid-file') {
        manager.emit(branchId, 'took-over', 'removed a stale postmaster.pid');
      }
    }
    return manager;
  }

  has(branchId: string): boolean {
    return readHistory(computeLayout(this.options.dataDir, branchId)) !== undefined;
  }

  ensureBranch(branchId: string): Promise<{ created: boolean }> {
    return this.locked(branchId, async () => {
      const compute = this.compute(branchId);
      if (readHistory(compute.layout)) return { created: false };
      const began = Date.now();
      fs.rmSync(compute.layout.root, { recursive: true, force: true }); // an unfinished attempt
      await compute.cluster.init();
      await recordBase(compute.layout);
      this.emit(branchId, 'created', `initdb in ${Date.now() - began} ms`);
      return { created: true };
    });
  }

  createBranch(
    childId: string,
    from: { parent: string; atLsn?: string; atTimestamp?: string },
  ): Promise<{ lsn: string; baseLsn: string }> {
    return this.locked(childId, async () => {
      const child = this.compute(childId);
      const done = readHistory(child.layout);
      if (done?.parent) return { lsn: done.parent.lsn, baseLsn: done.baseLsn };
      if (!this.has(from.parent)) throw new Error(`No compute for parent branch ${from.parent}`);
      const parent = this.compute(from.parent);
      const began = Date.now();
      await this.stopCompute(child);
      prepareChild(child.layout);
      try {
        const timings: Record<string, number> = {};
        // Under the parent's lock too: its base-recent/ is not replaced while copied from.
        await this.locked(from.parent, () =>
          this.withLease(parent, async () => {
            if (from.atLsn !== undefined) {
              await copyAtPoint(parent.cluster, child.layout, { lsn: from.atLsn }, timings);
            } else if (from.atTimestamp !== undefined) {
              await copyAtPoint(parent.cluster, child.layout, { time: from.atTimestamp }, timings);
            } else await copyHead(parent.cluster, child.layout, timings);
          }),
        );
        timings.prepared = Date.now() - began;
        const history = await finishChild(
          child.cluster,
          { branchId: from.parent, layout: parent.layout },
          timings,
        );
        // Left running: started like any wake.
        await this.reconcile(child);
        if (child.leases === 0) this.scheduleIdle(child);
        const phases = Object.entries(timings)
          .map(([phase, ms]) => `${phase} ${ms} ms`)
          .join(', ');
        this.emit(
          childId,
          'branched',
          `from ${from.parent} at ${history.parent.lsn} in ${Date.now() - began} ms (${phases})`,
        );
        this.refreshRecentBase(parent, history.parent.lsn);
        return { lsn: history.parent.lsn, baseLsn: history.baseLsn };
      } catch (error) {
        await this.stopCompute(child).catch(() => {});
        fs.rmSync(child.layout.root, { recursive: true, force: true });
        throw error;
      }
    });
  }

  deleteBranch(branchId: string): Promise<void> {
    return this.locked(branchId, async () => {
      const compute = this.compute(branchId);
      await this.removeEndpoint(branchId);
      await this.stopCompute(compute);
      fs.rmSync(compute.layout.root, { recursive: true, force: true });
      this.computes.delete(branchId);
      this.emit(branchId, 'deleted', 'compute removed');
    });
  }

  /**
   * The endpoint listens on settings.port. Changes are made one at a time: two callers
   * provisioning a branch at once (an operation, the start-up pass) would otherwise both
   * listen on its port, and the second, refused, would move the endpoint.
   */
  setEndpoint(branchId: string, settings: EndpointSettings): Promise<void> {
    const compute = this.compute(branchId);
    const change = (compute.endpointChange ?? Promise.resolve()).then(() =>
      this.changeEndpoint(compute, settings),
    );
    compute.endpointChange = change.catch(() => {});
    return change;
  }

  private async changeEndpoint(compute: Compute, settings: EndpointSettings): Promise<void> {
    const branchId = compute.branchId;
    const current = compute.endpoint;
    if (current && current.port === settings.port) {
      current.suspendTimeoutSeconds = settings.suspendTimeoutSeconds;
      if (compute.leases === 0) this.scheduleIdle(compute);
      return;
    }
    const proxy = await EndpointProxy.listen(settings.port, {
      acquire: () => this.lease(compute),
      release: () => this.release(compute),
      onError: (error) => this.emit(branchId, 'error', `endpoint: ${error.message}`),
    });
    if (current) await current.proxy.close();
    compute.endpoint = { ...settings, proxy };
  }

  async removeEndpoint(branchId: string): Promise<void> {
    const compute = this.computes.get(branchId);
    const endpoint = compute?.endpoint;
    if (!compute || !endpoint) return;
    compute.endpoint = undefined;
    await endpoint.proxy.close();
  }

  async start(branchId: string): Promise<void> {
    this.requireBranch(branchId);
    await this.withLease(this.compute(branchId), async () => {});
  }

  async suspend(branchId: string): Promise<void> {
    const compute = this.computes.get(branchId);
    if (!compute) return;
    await this.stopCompute(compute);
    if (compute.leases === 0) this.emit(branchId, 'suspended', 'suspended on request');
    await this.keepHistoryWindow(compute);
  }

  async restart(branchId: string): Promise<void> {
    await this.suspend(branchId);
    await this.start(branchId);
  }

  state(branchId: string): 'active' | 'idle' {
    return this.computes.get(branchId)?.cluster.running ? 'active' : 'idle';
  }

  apply(branchId: string, desired: DesiredState): Promise<ApplyReport> {
    this.requireBranch(branchId);
    const compute = this.compute(branchId);
    return this.withLease(compute, () =>
      applyDesiredState(
        (db, fn) => compute.cluster.withSession(fn, db),
        desired,
        async (session) => recordWalTime(compute.layout, await walPosition(session)),
      ),
    );
  }

  listRoles(branchId: string): ReturnType<typeof listRoles> {
    this.requireBranch(branchId);
    const compute = this.compute(branchId);
    return this.withLease(compute, () => compute.cluster.withSession(listRoles));
  }

  listDatabases(branchId: string): ReturnType<typeof listDatabases> {
    this.requireBranch(branchId);
    const compute = this.compute(branchId);
    return this.withLease(compute, () => compute.cluster.withSession(listDatabases));
  }

  async currentLsn(branchId: string, options: { wake?: boolean } = {}): Promise<string> {
    this.requireBranch(branchId);
    const compute = this.compute(branchId);
    const lsn =
      options.wake === false && !compute.cluster.running
        ? formatLsn(checkpointLsn(compute.layout.pgdata))
        : await this.withLease(compute, () => compute.cluster.withSession(walPosition));
    recordWalTime(compute.layout, lsn);
    return lsn;
  }

  history(branchId: string): BranchHistory | undefined {
    return readHistory(computeLayout(this.options.dataDir, branchId));
  }

  timeAtLsn(branchId: string, lsn: string): string | undefined {
    return walTimeAt(computeLayout(this.options.dataDir, branchId), lsn);
  }

  /** The earliest moment the branch is known to have been past that point (none: recent). */
  timeByLsn(branchId: string, lsn: string): string | undefined {
    return walTimeBy(computeLayout(this.options.dataDir, branchId), lsn);
  }

  usage(branchId: string): { pids: number[]; rssBytes: number; pssBytes: number } {
    const pid = this.computes.get(branchId)?.cluster.pid;
    if (pid === undefined) return { pids: [], rssBytes: 0, pssBytes: 0 };
    const pids = [pid, ...childPids(pid)];
    let rss = 0;
    let pss = 0;
    for (const p of pids) {
      try {
        const rollup = fs.readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
        rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024;
        pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024;
      } catch {
        // exited meanwhile
      }
    }
    return { pids, rssBytes: rss, pssBytes: pss };
  }

  async stopAll(): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.computes.values()].map(async (compute) => {
        if (compute.endpoint) {
          const { proxy } = compute.endpoint;
          compute.endpoint = undefined;
          await proxy.close();
        }
        await this.stopCompute(compute);
      }),
    );
  }

  // --- internals ---

  private compute(branchId: string): Compute {
    let compute = this.computes.get(branchId);
    if (!compute) {
      const layout = computeLayout(this.options.dataDir, branchId);
      const created: Compute = {
        branchId,
        layout,
        cluster: new Cluster(layout, (event) => this.onClusterEvent(created, event)),
        leases: 0,
        stopping: false,
      };
      compute = created;
      this.computes.set(branchId, compute);
    }
    return compute;
  }

  private requireBranch(branchId: string): void {
    if (!this.has(branchId)) throw new Error(`No compute for branch ${branchId}`);
  }

  private onClusterEvent(compute: Compute, event: ClusterEvent): void {
    switch (event.type) {
      case 'started':
        this.emit(compute.branchId, 'started', `Postgres ready in ${event.ms} ms`);
        break;
      case 'crashed':
        if (!compute.stopping) {
          this.emit(
            compute.branchId,
            'crashed',
            `Postgres exited (code ${event.code}); the next connection restarts it`,
          );
        }
        break;
      case 'took-over':
        this.emit(compute.branchId, 'took-over', event.found);
        break;
      case 'stopped':
        break;
    }
  }

  /** Takes a lease synchronously (the caller must release it, even if waking fails). */
  private lease(compute: Compute): Promise<number> {
    if (this.closed) return Promise.reject(new Error('The compute engine is stopped'));
    compute.leases++;
    clearTimeout(compute.idleTimer);
    compute.idleTimer = undefined;
    return this.wake(compute);
  }

  private release(compute: Compute): void {
    compute.leases = Math.max(0, compute.leases - 1);
    if (compute.leases === 0) this.scheduleIdle(compute);
  }

  /**
   * Runs fn with the compute awake. If its postmaster dies under fn (a crash, a kill -9), fn
   * runs once more on the postmaster the next lease starts: everything run here is
   * idempotent (an apply, a read), and the caller should not see the compute's crash.
   */
  private async withLease<T>(compute: Compute, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let exited: Promise<unknown> | undefined;
      try {
        await this.lease(compute);
        exited = compute.cluster.exited;
        return await fn();
      } catch (error) {
        const crashed =
          attempt < LEASE_ATTEMPTS &&
          exited !== undefined &&
          isLostConnection(error) &&
          (await settlesWithin(exited, POSTMASTER_EXIT_WAIT_MS));
        if (!crashed) throw error;
        this.emit(compute.branchId, 'error', `Postgres died under a session; retrying`);
      } finally {
        this.release(compute);
      }
    }
  }

  /** Starts Postgres if needed and applies the desired state once per start. */
  private wake(compute: Compute): Promise<number> {
    if (compute.cluster.running && !compute.waking) return Promise.resolve(compute.cluster.port!);
    if (compute.waking) return compute.waking;
    const waking = (async () => {
      if (!readHistory(compute.layout))
        throw new Error(`No compute for branch ${compute.branchId}`);
      const port = await compute.cluster.start();
      await this.reconcile(compute);
      return port;
    })();
    compute.waking = waking;
    void waking.then(
      () => (compute.waking = undefined),
      () => (compute.waking = undefined),
    );
    return waking;
  }

  private async reconcile(compute: Compute): Promise<void> {
    if (!this.options.desiredState) return;
    try {
      const desired = await this.options.desiredState(compute.branchId);
      if (!desired) return;
      const changes = await applyDesiredState(
        (db, fn) => compute.cluster.withSession(fn, db),
        desired,
      );
      if (changes.length > 0) this.emit(compute.branchId, 'repaired', changes.join('; '));
    } catch (error) {
      this.emit(
        compute.branchId,
        'error',
        `applying the desired state at start: ${(error as Error).message}`,
      );
    }
  }

  private scheduleIdle(compute: Compute): void {
    clearTimeout(compute.idleTimer);
    compute.idleTimer = undefined;
    if (!compute.cluster.running || this.closed) return;
    const seconds =
      compute.endpoint?.suspendTimeoutSeconds ?? this.options.defaultSuspendTimeoutSeconds ?? 300;
    if (seconds <= 0) return;
    compute.idleTimer = setTimeout(() => {
      compute.idleTimer = undefined;
      if (compute.leases > 0 || !compute.cluster.running) return;
      this.stopCompute(compute).then(
        () => {
          this.emit(compute.branchId, 'suspended', `idle for ${seconds} s`);
          return this.keepHistoryWindow(compute);
        },
        (error: Error) => this.emit(compute.branchId, 'error', `suspend: ${error.message}`),
      );
    }, seconds * 1000);
    compute.idleTimer.unref();
  }

  private async stopCompute(compute: Compute): Promise<void> {
    clearTimeout(compute.idleTimer);
    compute.idleTimer = undefined;
    if (!compute.cluster.running) return;
    compute.stopping = true;
    try {
      await compute.cluster.stop();
    } finally {
      compute.stopping = false;
    }
  }

  /**
   * At a suspend: the WAL archive keeps the history window and no more (history-retention.ts).
   * Runs in the cluster's queue, so a wake meanwhile waits until the files are settled.
   */
  private async keepHistoryWindow(compute: Compute): Promise<void> {
    const seconds = this.options.historyRetentionSeconds?.(compute.branchId);
    if (seconds === undefined || this.closed) return;
    try {
      const done = await compute.cluster.serialised(async () =>
        compute.cluster.running || !readHistory(compute.layout)
          ? []
          : keepHistoryWindow(compute.layout, Date.now() - seconds * 1000),
      );
      for (const line of done) this.emit(compute.branchId, 'history', line);
    } catch (error) {
      this.emit(
        compute.branchId,
        'error',
        `keeping the history window: ${(error as Error).message}`,
      );
    }
  }

  /**
   * After a branch that had much of its parent's WAL to replay: a newer online base of the
   * parent (base-recent/), taken in the background, so the next branch replays only what
   * comes after it.
   */
  private refreshRecentBase(parent: Compute, branchedAt: string): void {
    if (walSinceNewestBase(parent.layout, branchedAt) < RECENT_BASE_AFTER_WAL_BYTES) return;
    void this.locked(parent.branchId, async () => {
      if (this.closed || this.computes.get(parent.branchId) !== parent) return undefined;
      return this.withLease(parent, () => takeRecentBase(parent.cluster));
    }).then(
      (lsn) => {
        if (lsn) this.emit(parent.branchId, 'history', `recent base copy taken, from ${lsn}`);
      },
      (error: Error) => {
        if (!this.closed)
          this.emit(parent.branchId, 'error', `taking a recent base copy: ${error.message}`);
      },
    );
  }

  /** Branch-level changes (create, delete) of one branch run one at a time. */
  private locked<T>(branchId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.branchLocks.get(branchId) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    this.branchLocks.set(
      branchId,
      result.catch(() => {}),
    );
    return result;
  }

  private emit(branchId: string, type: ComputeEventType, message: string): void {
    this.options.log?.({ branchId, type, message });
  }
}

async function walPosition(session: {
  query: <R>(sql: string) => Promise<{ rows: R[] }>;
}): Promise<string> {
  const { rows } = await session.query<{ lsn: string }>(
    'SELECT pg_catalog.pg_current_wal_lsn() AS lsn',
  );
  return rows[0]!.lsn;
}

function childPids(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** WAL past the parent's newest base after which a branch of it takes a recent one (16 segments). */
const RECENT_BASE_AFTER_WAL_BYTES = 16n << 20n;
/** Attempts of a leased task whose postmaster died under it. */
const LEASE_ATTEMPTS = 2;
/** How long a dead postmaster's watchdog may take to report its exit. */
const POSTMASTER_EXIT_WAIT_MS = 2_000;

/** SQLSTATE classes and Node codes of a session that lost its server. */
function isLostConnection(error: unknown): boolean {
  const {
    code: nodeCode,
    sqlstate,
    message,
  } = error as {
    code?: string;
    sqlstate?: string; // an ApplyError carries Postgres's (or Node's) code here
    message?: string;
  };
  const code = sqlstate ?? nodeCode;
  if (code && /^(08|57P0[123])/.test(code)) return true; // connection exception, shutdown, crash
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(code)) return true;
  return /Connection terminated|connection ended|Client has encountered a connection error|error establishing an SSL connection/i.test(
    message ?? '',
  );
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(done, done);
  });
}
