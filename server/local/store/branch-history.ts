import { randomInt } from 'node:crypto';
import type { Sqlite } from './sqlite.ts';
import type { BranchRow } from './rows.ts';
import { invalid } from './store-error.ts';
import { formatLsn } from '../lsn.ts';

/** The point of the parent a child branch starts from. */
export type BranchPoint = { lsn: number } | { timestamp: number } | undefined;

/**
 * A branch's history: every LSN it reached and when (`branch_lsns`), so a point in time maps
 * to an LSN and back, and a child branch can copy what its parent held at that point.
 */
export class BranchHistory {
  constructor(private readonly sql: Sqlite) {}

  record(branchId: string, lsn: number, at: number): void {
    this.sql.run(
      `INSERT INTO branch_lsns (branch_id, lsn, at) VALUES (?, ?, ?)`,
      branchId,
      lsn,
      at,
    );
  }

  head(branchId: string): number {
    return this.sql.get<{ head_lsn: number }>(
      `SELECT head_lsn FROM branches WHERE id = ?`,
      branchId,
    )!.head_lsn;
  }

  /** Moves a branch's WAL position forward, as any write to it would, and returns the new LSN. */
  advance(branchId: string, at: number): number {
    const { head_lsn: next } = this.sql.returning<{ head_lsn: number }>(
      `UPDATE branches SET head_lsn = head_lsn + ? WHERE id = ? RETURNING head_lsn`,
      0x100 + randomInt(0x800) * 8,
      branchId,
    );
    this.record(branchId, next, at);
    return next;
  }

  /** Resolves a point on the parent to both its LSN and its time, refusing points outside its history. */
  resolvePoint(
    parent: BranchRow,
    point: BranchPoint,
    now: number,
  ): { lsn: number; timestamp: number } {
    if (!point) return { lsn: parent.head_lsn, timestamp: now };
    if ('lsn' in point) {
      if (point.lsn < parent.init_lsn || point.lsn > parent.head_lsn) {
        throw invalid(
          `parent_lsn ${formatLsn(point.lsn)} is outside the history of branch ${parent.id} (${formatLsn(parent.init_lsn)} to ${formatLsn(parent.head_lsn)})`,
        );
      }
      const at = this.sql.get<{ at: number }>(
        `SELECT at FROM branch_lsns WHERE branch_id = ? AND lsn <= ? ORDER BY lsn DESC LIMIT 1`,
        parent.id,
        point.lsn,
      )!.at;
      return { lsn: point.lsn, timestamp: at };
    }
    if (point.timestamp > now) throw invalid('parent_timestamp is in the future');
    if (point.timestamp < parent.created_at) {
      throw invalid(
        `parent_timestamp is before branch ${parent.id} was created (${new Date(parent.created_at).toISOString()})`,
      );
    }
    const lsn = this.sql.get<{ lsn: number }>(
      `SELECT lsn FROM branch_lsns WHERE branch_id = ? AND at <= ? ORDER BY lsn DESC LIMIT 1`,
      parent.id,
      point.timestamp,
    )!.lsn;
    return { lsn, timestamp: point.timestamp };
  }

  /** Copies the roles and databases that existed on `parentId` at `lsn`, keeping names, passwords and dates. */
  copyAt(parentId: string, childId: string, lsn: number): void {
    for (const [table, columns, order] of [
      ['roles', 'name, password, protected, no_login, created_at, updated_at', 'seq'],
      ['databases', 'name, owner_name, created_at, updated_at', 'id'],
    ] as const) {
      this.sql.run(
        `INSERT INTO ${table} (branch_id, ${columns}, created_lsn)
         SELECT ?, ${columns}, ? FROM ${table}
         WHERE branch_id = ? AND created_lsn <= ? AND (deleted_lsn IS NULL OR deleted_lsn > ?) ORDER BY ${order}`,
        childId,
        lsn,
        parentId,
        lsn,
        lsn,
      );
    }
  }
}
