import type Database from 'better-sqlite3';
import { locked } from './store/store-error.ts';
import { operationId } from './ids.ts';
import type { OperationAction, OperationRow } from './store/rows.ts';

export type OperationStatus = 'scheduling' | 'running' | 'finished' | 'failed';

export interface OperationPlan {
  action: OperationAction;
  branchId?: string | null;
  endpointId?: string | null;
}

/**
 * The operations engine. An operation's timeline (scheduled, started, ends) is fixed and
 * stored when it is created, so its status is a function of the clock: nothing needs to
 * be running for it to progress, and one in flight at a crash finishes after a restart.
 */
export class OperationsEngine {
  private readonly insert: Database.Statement;
  private readonly busy: Database.Statement;
  /** Armed by fault injection: project id (undefined: any project) → the error to end with. */
  private readonly failures = new Map<string | undefined, string>();

  constructor(
    db: Database.Database,
    private readonly durationMs: number,
    private readonly now: () => number,
  ) {
    this.insert = db.prepare(
      `INSERT INTO operations (id, project_id, branch_id, endpoint_id, action, created_at, start_at, finish_at, error)
       VALUES (@id, @project_id, @branch_id, @endpoint_id, @action, @created_at, @start_at, @finish_at, @error)`,
    );
    this.busy = db.prepare(
      `SELECT 1 FROM operations WHERE project_id = ? AND finish_at > ? LIMIT 1`,
    );
  }

  /** The 423 rule: nothing new may start while an operation of the project has not finished (Neon's message). */
  assertIdle(projectId: string, at = this.now()): void {
    if (this.busy.get(projectId, at)) throw locked();
  }

  /**
   * Fault injection: the next operations scheduled in `projectId` (in any project when it is
   * undefined) end as failed with `reason`; `undefined` disarms it.
   */
  failNext(projectId: string | undefined, reason: string | undefined): void {
    if (reason === undefined) this.failures.delete(projectId);
    else this.failures.set(projectId, reason);
  }

  private takeFailure(projectId: string): string | undefined {
    for (const key of [projectId, undefined]) {
      const reason = this.failures.get(key);
      if (reason !== undefined) {
        this.failures.delete(key);
        return reason;
      }
    }
    return undefined;
  }

  /**
   * Schedules operations to run one after another over the configured duration; when
   * fault injection armed a failure, the last one ends as failed.
   */
  schedule(projectId: string, plans: readonly OperationPlan[], at = this.now()): OperationRow[] {
    const failWith = plans.length ? this.takeFailure(projectId) : undefined;
    const slice = plans.length ? this.durationMs / plans.length : 0;
    return plans.map((plan, index) => {
      const begins = Math.round(at + slice * index);
      const row: Omit<OperationRow, 'seq'> = {
        id: operationId(),
        project_id: projectId,
        branch_id: plan.branchId ?? null,
        endpoint_id: plan.endpointId ?? null,
        action: plan.action,
        created_at: at,
        // A short "scheduling" phase before each runs, as Neon shows.
        start_at: Math.round(begins + Math.min(50, slice / 5)),
        finish_at: Math.round(at + slice * (index + 1)),
        error: failWith && index === plans.length - 1 ? failWith : null,
      };
      const info = this.insert.run(row);
      return { ...row, seq: Number(info.lastInsertRowid) };
    });
  }
}

export function operationStatus(op: OperationRow, now: number): OperationStatus {
  if (now < op.start_at) return 'scheduling';
  if (now < op.finish_at) return 'running';
  return op.error ? 'failed' : 'finished';
}

/** When the status last changed. */
export function operationUpdatedAt(op: OperationRow, now: number): number {
  if (now < op.start_at) return op.created_at;
  if (now < op.finish_at) return op.start_at;
  return op.finish_at;
}
