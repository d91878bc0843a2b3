import type Database from 'better-sqlite3';
import { locked } from './errors.ts';
import { operationId } from './ids.ts';

export type OperationAction =
  | 'apply_config'
  | 'create_branch'
  | 'create_timeline'
  | 'start_compute'
  | 'suspend_compute'
  | 'delete_timeline';

export type OperationStatus = 'scheduling' | 'running' | 'finished' | 'failed';

export interface OperationRow {
  seq: number;
  id: string;
  project_id: string;
  branch_id: string | null;
  endpoint_id: string | null;
  action: OperationAction;
  created_at: number;
  start_at: number;
  finish_at: number;
  error: string | null;
}

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

  /** Throws Neon's 423 while an operation of the project has not finished. */
  assertIdle(projectId: string, at = this.now()): void {
    if (this.busy.get(projectId, at)) throw locked();
  }

  /**
   * Schedules operations to run one after another over the configured duration.
   * `failOperationsWith` makes the last one end as failed (fault injection).
   */
  schedule(
    projectId: string,
    plans: readonly OperationPlan[],
    { failOperationsWith: failWith, at }: { failOperationsWith?: string; at?: number } = {},
  ): OperationRow[] {
    const created = at ?? this.now();
    const slice = plans.length ? this.durationMs / plans.length : 0;
    return plans.map((plan, index) => {
      const begins = Math.round(created + slice * index);
      const row: Omit<OperationRow, 'seq'> = {
        id: operationId(),
        project_id: projectId,
        branch_id: plan.branchId ?? null,
        endpoint_id: plan.endpointId ?? null,
        action: plan.action,
        created_at: created,
        // A short "scheduling" phase before each runs, as Neon shows.
        start_at: Math.round(begins + Math.min(50, slice / 5)),
        finish_at: Math.round(created + slice * (index + 1)),
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
