import fs from 'node:fs';
import path from 'node:path';
import type { ComputeLayout } from './compute-layout.ts';
import { checkpointLsn } from './pg-control.ts';
import { copyStoppedTree, linkTree } from './copy-tree.ts';
import { formatLsn, parseLsn } from './lsn.ts';

/**
 * Where a branch's history begins: at `baseLsn`, at `baseTime`; every point after it is
 * reachable from base/ plus wal-archive/. base/ is either the branch's own cleanly stopped
 * copy (its shutdown checkpoint is `baseLsn`) or hard links of the base/ its parent's history
 * started from, with the parent's WAL up to the branch point linked into wal-archive/ (the
 * replay then follows the timeline switch, as Postgres does across a promotion).
 * compute.json is written last, so its presence also marks a complete branch.
 */
export interface BranchHistory {
  baseLsn: string;
  baseTime: string;
  parent?: { branchId: string; lsn: string };
}

export function readHistory(layout: ComputeLayout): BranchHistory | undefined {
  try {
    return JSON.parse(fs.readFileSync(layout.metaFile, 'utf8')) as BranchHistory;
  } catch {
    return undefined;
  }
}

/** Copies a cleanly stopped pgdata/ to base/ and records where the branch's history begins. */
export async function recordBase(
  layout: ComputeLayout,
  parent?: BranchHistory['parent'],
): Promise<BranchHistory> {
  await copyStoppedTree(layout.pgdata, layout.base);
  const history: BranchHistory = {
    baseLsn: formatLsn(checkpointLsn(layout.base)),
    baseTime: new Date().toISOString(),
    ...(parent ? { parent } : {}),
  };
  writeHistory(layout, history);
  return history;
}

/** The branch's history begins at its branch point, from its parent's base and WAL (linked). */
export async function recordSharedBase(
  layout: ComputeLayout,
  parent: ComputeLayout,
  point: NonNullable<BranchHistory['parent']>,
): Promise<BranchHistory> {
  fs.rmSync(layout.base, { recursive: true, force: true });
  await linkTree(parent.base, layout.base);
  for (const name of fs.readdirSync(layout.restoreWal)) {
    const to = path.join(layout.archive, name);
    // The branch's own archiver may have written a file of that name (never the same WAL).
    if (!fs.existsSync(to)) fs.renameSync(path.join(layout.restoreWal, name), to);
  }
  fs.rmSync(layout.restoreWal, { recursive: true, force: true });
  const history: BranchHistory = {
    baseLsn: point.lsn,
    baseTime: new Date().toISOString(),
    parent: point,
  };
  writeHistory(layout, history);
  return history;
}

export function writeHistory(layout: ComputeLayout, history: BranchHistory): void {
  const temp = `${layout.metaFile}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(history, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(temp, layout.metaFile);
}

/**
 * Notes that the branch's WAL had reached `lsn` at `at` (after a change was applied, or
 * when a branch point was taken), so a later point of its history can be told its moment.
 */
export function recordWalTime(layout: ComputeLayout, lsn: string, at = new Date()): void {
  fs.appendFileSync(layout.walTimesFile, `${lsn} ${at.toISOString()}\n`, { mode: 0o600 });
}

/**
 * The latest moment known to lie at or before `lsn` on the branch: the newest note of a
 * position not beyond it, else the start of the branch's history; undefined before it.
 */
export function walTimeAt(layout: ComputeLayout, lsn: string): string | undefined {
  const history = readHistory(layout);
  if (!history || parseLsn(lsn) < parseLsn(history.baseLsn)) return undefined;
  let time = history.baseTime;
  for (const [noted, at] of walNotes(layout)) {
    if (parseLsn(noted) > parseLsn(lsn)) continue;
    if (Date.parse(at) > Date.parse(time)) time = at;
  }
  return time;
}

/**
 * The earliest moment by which the branch's WAL is known to have passed `lsn` (a note of a
 * position at or beyond it); undefined when no note is that far yet (the point is recent).
 */
export function walTimeBy(layout: ComputeLayout, lsn: string): string | undefined {
  let time: string | undefined;
  for (const [noted, at] of walNotes(layout)) {
    if (parseLsn(noted) < parseLsn(lsn)) continue;
    if (time === undefined || Date.parse(at) < Date.parse(time)) time = at;
  }
  return time;
}

function walNotes(layout: ComputeLayout): Array<[string, string]> {
  let notes = '';
  try {
    notes = fs.readFileSync(layout.walTimesFile, 'utf8');
  } catch {
    return [];
  }
  return notes
    .split('\n')
    .map((line) => line.split(' '))
    .filter((parts): parts is [string, string] => parts.length === 2 && Boolean(parts[0]));
}
