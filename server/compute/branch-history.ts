import fs from 'node:fs';
import type { ComputeLayout } from './compute-layout.ts';
import { checkpointLsn } from './pg-control.ts';
import { copyStoppedTree } from './copy-tree.ts';
import { formatLsn, parseLsn } from './lsn.ts';

/**
 * What a branch's base/ copy stands for: its history starts at `baseLsn` (the shutdown
 * checkpoint of the copy) at `baseTime`; every point after it is reachable from base/ plus
 * wal-archive/. compute.json is written last, so its presence also marks a complete branch.
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
  const temp = `${layout.metaFile}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(history, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(temp, layout.metaFile);
  return history;
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
  let notes = '';
  try {
    notes = fs.readFileSync(layout.walTimesFile, 'utf8');
  } catch {
    // none yet
  }
  for (const line of notes.split('\n')) {
    const [noted, at] = line.split(' ');
    if (!noted || !at || parseLsn(noted) > parseLsn(lsn)) continue;
    if (Date.parse(at) > Date.parse(time)) time = at;
  }
  return time;
}
