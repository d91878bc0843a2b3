import type Database from 'better-sqlite3';
import { locked } from './store/store-error.ts';
import { operationId } from './ids.ts';
import type { OperationAction, OperationRow } from './store/rows.ts';

export type OperationStatus = 'scheduling' | 'running' | 'finished' | 'failed';

export interface OperationPlan {
  action: OperationAction;
  branchId?: string | null;
  endpointId?: string | null;
  /** What the compute executor needs beyond the store's desired state. */
  spec?: OperationSpec;
}

/** apply_config: what it drops; create_branch: the point of the parent asked for. */
export interface OperationSpec {
  dropRoles?: string[];
  dropDatabases?: string[];
  point?: { lsn: string } | { timestamp: string };
}

/** An unfinished operation's finish_at: later than any clock, so the 423 rule sees it. */
const NOT_FINISHED = Number.MAX_SAFE_INTEGER;

/**
 * The operations engine, in one of two modes:
 * - timeline (no computes): an operation's timeline (scheduled, started, ends) is fixed and
 *   stored when it is created, so its status is a function of the clock: nothing needs to
 *   be running for it to progress, and one in flight at a crash finishes after a restart.
 * - real (computes on): an operation is stored as `scheduling` and the compute executor
 *   moves it to `running`, then `finished` or `failed` with Postgres's message, each step
 *   persisted; after a crash the unfinished ones are run again (each is idempotent).
 *   History written in the past (the demo seed's `at`) stays on the timeline: it is done.
 */
export class OperationsEngine {
  private readonly insert: Database.Statement;
  private readonly busy: Database.Statement;
  private readonly unfinished: Database.Statement;
  private readonly update: Database.Statement;
  /** Armed by fault injection: project id (undefined: any project) → the error to end with. */
  private readonly failures = new Map<string | undefined, string>();

  constructor(
    db: Database.Database,
    private readonly durationMs: number,
    private readonly now: () => number,
    /** Real mode: the compute executor runs the operations. */
    readonly real = false,
  ) {
    this.insert = db.prepare(
      `INSERT INTO operations (id, project_id, branch_id, endpoint_id, action, created_at, start_at, finish_at, error, status, updated_at, spec)
       VALUES (@id, @project_id, @branch_id, @endpoint_id, @action, @created_at, @start_at, @finish_at, @error, @status, @updated_at, @spec)`,
    );
    this.busy = db.prepare(
      `SELECT 1 FROM operations WHERE project_id = ? AND finish_at > ? LIMIT 1`,
    );
    this.unfinished = db.prepare(
      `SELECT * FROM operations WHERE status IN ('scheduling', 'running') ORDER BY seq`,
    );
    this.update = db.prepare(
      `UPDATE operations SET status = @status, updated_at = @at, error = @error,
         start_at = CASE WHEN @status = 'running' THEN @at ELSE start_at END,
         finish_at = CASE WHEN @status IN ('finished', 'failed') THEN @at ELSE finish_at END
       WHERE id = @id`,
    );
  }

  /** Real mode: the operations still to run (or re-run after a crash), oldest first. */
  pending(): OperationRow[] {
    return this.unfinished.all() as OperationRow[];
  }

  /** Real mode: persists a step of an operation's real work. */
  setStatus(id: string, status: 'running' | 'finished' | 'failed', error: string | null = null) {
    this.update.run({ id, status, at: this.now(), error });
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
  schedule(projectId: string, plans: readonly OperationPlan[], past?: number): OperationRow[] {
    const failWith = plans.length ? this.takeFailure(projectId) : undefined;
    const at = past ?? this.now();
    // Real work: stored as `scheduling`, an armed fault kept in `error` for the executor to end with.
    const real = this.real && past === undefined;
    const slice = plans.length ? this.durationMs / plans.length : 0;
    return plans.map((plan, index) => {
      const begins = Math.round(at + slice * index);
      const timing: Pick<OperationRow, 'start_at' | 'finish_at' | 'status' | 'updated_at'> = real
        ? { start_at: at, finish_at: NOT_FINISHED, status: 'scheduling', updated_at: at }
        : {
            // A short "scheduling" phase before each runs, as Neon shows.
            start_at: Math.round(begins + Math.min(50, slice / 5)),
            finish_at: Math.round(at + slice * (index + 1)),
            status: null,
            updated_at: null,
          };
      const row: Omit<OperationRow, 'seq'> = {
        id: operationId(),
        project_id: projectId,
        branch_id: plan.branchId ?? null,
        endpoint_id: plan.endpointId ?? null,
        action: plan.action,
        created_at: at,
        ...timing,
        error: failWith && index === plans.length - 1 ? failWith : null,
        spec: plan.spec ? JSON.stringify(plan.spec) : null,
      };
      const info = this.insert.run(row);
      return { ...row, seq: Number(info.lastInsertRowid) };
    });
  }
}

export function operationStatus(op: OperationRow, now: number): OperationStatus {
  if (op.status) return op.status;
  if (now < op.start_at) return 'scheduling';
  if (now < op.finish_at) return 'running';
  return op.error ? 'failed' : 'finished';
}

/** When the status last changed. */
export function operationUpdatedAt(op: OperationRow, now: number): number {
  if (op.status) return op.updated_at ?? op.created_at;
  if (now < op.start_at) return op.created_at;
  if (now < op.finish_at) return op.start_at;
  return op.finish_at;
}
