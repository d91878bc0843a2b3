import fs from 'node:fs';
import type { ComputeLayout } from './compute-layout.ts';
import { checkpointLsn } from './pg-control.ts';
import { copyStoppedTree } from './copy-tree.ts';
import { formatLsn } from './lsn.ts';

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
