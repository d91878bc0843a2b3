import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  allocatePort,
  BranchPointError,
  ComputeManager,
  type ComputeEvent,
} from '../../compute/compute-manager.ts';
import type { Store } from '../store/store.ts';
import type { BranchPoint } from '../store/branch-history.ts';
import { invalid } from '../store/store-error.ts';
import { formatLsn, parseLsn } from '../lsn.ts';
import type { BranchRow, EndpointRow } from '../store/rows.ts';
import { OperationRunner } from './operation-runner.ts';
import type { EndpointCompute } from '../shapes.ts';

export interface ComputesOptions {
  /** The store's directory; ':memory:' puts the clusters in a temporary one removed at close. */
  dataDir: string;
  /** Idle seconds for endpoints whose suspend_timeout_seconds is 0 (Neon's default). */
  suspendTimeoutSeconds: number;
  log: (line: string) => void;
}

/**
 * The local Neon's computes: one real Postgres per branch (the compute engine, in
 * server/compute/), behind each read-write endpoint's port. The store stays the source of
 * truth; this module makes the computes match it:
 * - operations are run for real (OperationRunner) and their status persisted;
 * - at open: leftovers of an earlier run are taken over, unfinished operations re-run, and
 *   every branch without a cluster (the demo seed, a store made without computes) gets one,
 *   in the background, while the API already serves;
 * - each start of a compute applies the store's desired state first (Neon's apply_config at
 *   start), so a change made while it slept, or lost in a crash, is there before any client.
 */
export class Computes {
  readonly manager: Promise<ComputeManager>;
  /** The manager once open (for what must answer synchronously). */
  private opened: ComputeManager | undefined;
  private readonly runner: OperationRunner;
  private readonly tempDir: string | undefined;
  /** Resolves once every branch has its cluster and every endpoint listens. */
  readonly settled: Promise<void>;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly options: ComputesOptions,
  ) {
    this.tempDir =
      options.dataDir === ':memory:'
        ? fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-computes-'))
        : undefined;
    this.manager = ComputeManager.open({
      dataDir: this.tempDir ?? options.dataDir,
      log: (event) => this.onEvent(event),
      desiredState: (branchId) => store.desiredState(branchId),
      historyRetentionSeconds: (branchId) => this.retentionOf(branchId),
      defaultSuspendTimeoutSeconds: options.suspendTimeoutSeconds,
    });
    this.manager.then(
      (manager) => (this.opened = manager),
      (error: Error) => this.fail('-', error),
    );
    this.runner = new OperationRunner(store, this, options.log);
    this.settled = this.open();
    // Failures are logged where they happen; the promise is for tests and the bench.
    this.settled.catch(() => {});
  }

  private async open(): Promise<void> {
    const manager = await this.manager;
    // Ports first: a client connecting meanwhile waits for its compute, not a refusal.
    for (const endpoint of this.store.allEndpoints()) {
      if (endpoint.type === 'read_write' && manager.has(endpoint.branch_id)) {
        await this.listen(endpoint).catch((error: Error) => this.fail(endpoint.branch_id, error));
      }
    }
    this.runner.kick();
    await this.runner.idle();
    for (const branch of this.store.allBranches()) {
      if (this.closed) return;
      await this.provision(branch).catch((error: Error) => this.fail(branch.id, error));
    }
    await this.removeOrphans(manager);
  }

  /** Runs the operations the last request stored (and any left unfinished). */
  kick(): void {
    if (!this.closed) this.runner.kick();
  }

  /** Resolves when no operation is waiting to run. */
  idle(): Promise<void> {
    return this.runner.idle();
  }

  /** A branch whose cluster does not exist yet gets one: a copy of its parent, or initdb. */
  async provision(branch: BranchRow): Promise<void> {
    const manager = await this.manager;
    if (!manager.has(branch.id)) {
      const parent = branch.parent_id ? this.store.findBranch(branch.parent_id) : undefined;
      if (parent) {
        await this.provision(parent);
        await this.copyFromParent(manager, branch, parent);
      } else {
        await manager.ensureBranch(branch.id);
      }
    }
    for (const endpoint of this.store.allEndpoints()) {
      if (endpoint.branch_id === branch.id && endpoint.type === 'read_write') {
        await this.listen(endpoint);
      }
    }
  }

  /**
   * At the branch's point in the parent's history; a point before the parent's cluster
   * existed (the demo seed's past, a store made without computes) gets a fresh cluster, which
   * the desired state then fills with the branch's roles and databases.
   */
  private async copyFromParent(manager: ComputeManager, branch: BranchRow, parent: BranchRow) {
    const atTimestamp =
      branch.parent_timestamp !== null
        ? new Date(branch.parent_timestamp).toISOString()
        : undefined;
    try {
      await manager.createBranch(branch.id, { parent: parent.id, atTimestamp });
    } catch (error) {
      if (!(error instanceof BranchPointError)) throw error;
      this.options.log(
        `compute ${branch.id}: ${error.message}; made a fresh cluster with the branch's roles and databases`,
      );
      await manager.ensureBranch(branch.id);
    }
  }

  /**
   * Where a branch asked for now starts on its parent's real WAL (Neon reports real LSNs):
   * the head is the parent's position at this moment (a stopped parent's last checkpoint:
   * nothing has written since), and the compute later copies exactly that point, whatever
   * the parent writes meanwhile. A parent_lsn must lie in the parent's history; the store
   * gets the moment it stands for, to copy its own records of roles and databases. A
   * parent_timestamp's LSN is known once the compute has replayed to it (walLsn null).
   */
  async branchPoint(
    parent: BranchRow,
    point: BranchPoint,
  ): Promise<{ point: BranchPoint; walLsn: number | null }> {
    const retention = this.retentionOf(parent.id) ?? Infinity;
    const windowStart = Date.now() - retention * 1000;
    const outsideWindow = (what: string) =>
      invalid(
        `${what} is older than the project's history retention window (history_retention_seconds ${retention}): branch from ${new Date(windowStart).toISOString()} or later`,
      );
    if (point && 'timestamp' in point) {
      if (point.timestamp < windowStart) {
        throw outsideWindow(`parent_timestamp ${new Date(point.timestamp).toISOString()}`);
      }
      return { point, walLsn: null };
    }
    const manager = await this.manager;
    if (!manager.has(parent.id)) await this.provision(parent);
    const head = await manager.currentLsn(parent.id, { wake: false });
    if (!point) return { point, walLsn: parseLsn(head)! };
    const asked = formatLsn(point.lsn);
    const history = manager.history(parent.id)!;
    const moment = manager.timeAtLsn(parent.id, asked);
    if (moment === undefined || point.lsn > parseLsn(head)!) {
      throw invalid(
        `parent_lsn ${asked} is outside the history of branch ${parent.id} (${history.baseLsn} to ${head})`,
      );
    }
    // Passed before the window began, by what the compute noted (each apply and suspend).
    const passedBy = manager.timeByLsn(parent.id, asked);
    if (passedBy !== undefined && Date.parse(passedBy) < windowStart) {
      throw outsideWindow(`parent_lsn ${asked}`);
    }
    return { point: { timestamp: Date.parse(moment) }, walLsn: point.lsn };
  }

  /** The project's history_retention_seconds, the window of its branches' history. */
  private retentionOf(branchId: string): number | undefined {
    const branch = this.store.findBranch(branchId);
    if (!branch) return undefined;
    return this.store.project(branch.project_id).history_retention_seconds;
  }

  /** The endpoint's port listens; a port another program took moves (and the store says so). */
  async listen(endpoint: EndpointRow): Promise<void> {
    const manager = await this.manager;
    const suspendTimeoutSeconds = this.suspendTimeout(endpoint);
    let port = endpoint.port ?? (await allocatePort());
    try {
      await listenRetrying(
        () => manager.setEndpoint(endpoint.branch_id, { port, suspendTimeoutSeconds }),
        () => this.options.log(`endpoint ${endpoint.id}: port ${port} is taken; trying again`),
      );
    } catch (error) {
      if (!isAddressInUse(error)) throw error;
      const taken = port;
      port = await allocatePort();
      await manager.setEndpoint(endpoint.branch_id, { port, suspendTimeoutSeconds });
      this.options.log(`endpoint ${endpoint.id}: port ${taken} is taken; moved to ${port}`);
    }
    if (port !== endpoint.port) this.store.moveEndpoint(endpoint.id, port);
  }

  private suspendTimeout(endpoint: EndpointRow): number {
    if (endpoint.suspend_timeout_seconds < 0) return 0;
    return endpoint.suspend_timeout_seconds || this.options.suspendTimeoutSeconds;
  }

  /** Host, state and timeout of an endpoint's compute (synchronous: for every response). */
  describe(endpoint: EndpointRow): EndpointCompute {
    const manager = this.opened;
    return {
      host: `127.0.0.1:${endpoint.port}`,
      state: endpoint.type === 'read_write' && manager ? manager.state(endpoint.branch_id) : 'idle',
      suspendTimeoutSeconds: endpoint.suspend_timeout_seconds,
    };
  }

  /** Databases the role owns in the branch's Postgres, made through the API or with SQL. */
  async databasesOwnedBy(branchId: string, role: string): Promise<string[]> {
    const manager = await this.manager;
    if (!manager.has(branchId)) return [];
    const databases = await manager.listDatabases(branchId);
    return databases.filter((db) => db.owner === role).map((db) => db.name);
  }

  /** Clusters of branches the store no longer has (deleted while the server was down). */
  private async removeOrphans(manager: ComputeManager): Promise<void> {
    const root = path.join(this.tempDir ?? this.options.dataDir, 'computes');
    if (!fs.existsSync(root)) return;
    const known = new Set(this.store.allBranches().map((b) => b.id));
    for (const branchId of fs.readdirSync(root)) {
      if (known.has(branchId) || !manager.has(branchId)) continue;
      await manager.deleteBranch(branchId);
      this.options.log(`compute ${branchId}: removed (its branch was deleted)`);
    }
  }

  /** Stops every Postgres and endpoint listener; waits for the operation in flight first. */
  async close(): Promise<void> {
    this.closed = true;
    this.runner.stop();
    // What is under way (an initdb, a copy, an apply) ends before Postgres is stopped.
    await Promise.all([this.runner.idle(), this.settled]).catch(() => {});
    const manager = await this.manager.catch(() => undefined);
    await manager?.stopAll();
    if (this.tempDir) fs.rmSync(this.tempDir, { recursive: true, force: true });
  }

  private onEvent(event: ComputeEvent): void {
    const subject = event.branchId === '-' ? 'computes' : `compute ${event.branchId}`;
    this.options.log(`${subject}: ${event.type}: ${event.message}`);
  }

  private fail(branchId: string, error: Error): void {
    this.options.log(`compute ${branchId}: error: ${error.message}`);
  }
}

const isAddressInUse = (error: unknown) => (error as NodeJS.ErrnoException).code === 'EADDRINUSE';

/**
 * An endpoint's port found taken is tried again for about a second before the endpoint
 * moves: what holds it is most often brief (another program probing for a free port, a
 * client socket closing), and a moved endpoint breaks every saved connection string.
 */
async function listenRetrying(
  listen: () => Promise<void>,
  onFirstRetry: () => void,
  attempts = 10,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await listen();
    } catch (error) {
      if (!isAddressInUse(error) || attempt >= attempts) throw error;
      if (attempt === 1) onFirstRetry();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
