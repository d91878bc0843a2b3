import type { OperationRow } from '../store/rows.ts';
import type { Store } from '../store/store.ts';
import type { OperationSpec } from '../operations-engine.ts';
import type { Computes } from './computes.ts';
import { parseLsn } from '../lsn.ts';

/**
 * Runs the stored operations against the computes, oldest first and one at a time (Neon
 * runs a project's operations in order; one queue for all keeps it simple). Each step is
 * persisted: `running` before the work, then `finished`, or `failed` with Postgres's
 * message. Every action is idempotent, so one cut short by a crash is simply run again.
 */
export class OperationRunner {
  private draining: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly computes: Computes,
    private readonly log: (line: string) => void,
  ) {}

  kick(): void {
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => (this.draining = undefined));
  }

  idle(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  stop(): void {
    this.stopped = true;
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      for (const op of this.store.operations.pending()) {
        if (this.stopped) return;
        await this.run(op);
      }
    } while (this.again && !this.stopped);
  }

  private async run(op: OperationRow): Promise<void> {
    const operations = this.store.operations;
    // A fault armed by fault injection: the operation ends as failed, having done nothing.
    if (op.error) {
      operations.setStatus(op.id, 'failed', op.error);
      return;
    }
    operations.setStatus(op.id, 'running');
    try {
      await this.perform(op);
      operations.setStatus(op.id, 'finished');
    } catch (error) {
      const message = (error as Error).message || String(error);
      operations.setStatus(op.id, 'failed', message);
      this.log(`operation ${op.id} (${op.action} on ${op.branch_id}) failed: ${message}`);
    }
  }

  private async perform(op: OperationRow): Promise<void> {
    const manager = await this.computes.manager;
    const branchId = op.branch_id;
    if (!branchId) return;
    const spec = op.spec ? (JSON.parse(op.spec) as OperationSpec) : {};
    // Deleted since: nothing left to start, apply or copy.
    const branch = this.store.findBranch(branchId);
    switch (op.action) {
      case 'create_timeline':
        if (branch) await this.computes.provision(branch);
        return;
      case 'create_branch': {
        if (!branch) return;
        const parentId = branch.parent_id!;
        const parent = this.store.findBranch(parentId);
        if (parent) await this.computes.provision(parent);
        const point = spec.point;
        const made = await manager.createBranch(branchId, {
          parent: parentId,
          ...(point && 'lsn' in point ? { atLsn: point.lsn } : {}),
          ...(point && 'timestamp' in point ? { atTimestamp: point.timestamp } : {}),
        });
        // A parent_timestamp branch: its parent_lsn is where the replay stopped.
        if (branch.parent_lsn === null) this.store.setParentLsn(branchId, parseLsn(made.lsn)!);
        await this.computes.provision(branch);
        return;
      }
      case 'start_compute':
        if (!branch) return;
        await this.computes.provision(branch);
        await manager.start(branchId);
        return;
      case 'suspend_compute':
        if (manager.has(branchId)) await manager.suspend(branchId);
        return;
      case 'apply_config': {
        const desired = this.store.desiredState(branchId);
        if (!desired) return;
        await this.computes.provision(branch!);
        const changes = await manager.apply(branchId, {
          ...desired,
          dropRoles: spec.dropRoles,
          dropDatabases: spec.dropDatabases,
        });
        if (changes.length) this.log(`compute ${branchId}: applied: ${changes.join('; ')}`);
        return;
      }
      case 'delete_timeline':
        await manager.deleteBranch(branchId);
        return;
    }
  }
}
