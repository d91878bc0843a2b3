import path from 'node:path';

/**
 * Where one branch's compute keeps its files, under `<dataDir>/computes/<branchId>/`:
 *   pgdata/        the cluster (owned by the Postgres user, 0700)
 *   wal-archive/   every WAL segment written since `base/` (archive_command copies here)
 *   base/          a cleanly stopped copy of the cluster taken when the branch was made:
 *                  with wal-archive/ it reaches any point of the branch's history
 *   base-next/     a newer copy, taken when base/ left the history window; it becomes
 *                  base/ once it has left the window too (history-retention.ts)
 *   base-recent/   an online copy (with its backup_label) taken while the branch runs, once
 *                  a branch of it had much WAL to replay from base/: later branches start
 *                  from it instead (base-recent.json: the LSNs its backup starts and ends at)
 *   restore-wal/   WAL staged from the parent while a branch is being made (removed after)
 *   admin-password the internal superuser's password (0600, ours only; never logged)
 *   postgres.log   Postgres's own log (stderr)
 *   compute.json   facts about the branch's history (when and at which LSN it begins)
 *   wal-times      WAL positions seen after each change and when (`LSN ISO-time` lines,
 *                  appended): which moment a point of the history stands for
 * archive_command and restore_command name these relative to pgdata/ (Postgres runs them
 * there), so no absolute path ever has to be quoted into a shell command.
 */
export interface ComputeLayout {
  root: string;
  pgdata: string;
  archive: string;
  base: string;
  baseNext: string;
  recentBase: string;
  restoreWal: string;
  passwordFile: string;
  logFile: string;
  metaFile: string;
  walTimesFile: string;
}

export const ARCHIVE_FROM_PGDATA = '../wal-archive';
export const RESTORE_WAL_FROM_PGDATA = '../restore-wal';

const BRANCH_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export function computesDir(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'computes');
}

export function computeLayout(dataDir: string, branchId: string): ComputeLayout {
  if (!BRANCH_ID.test(branchId))
    throw new Error(`Not a usable branch id: ${JSON.stringify(branchId)}`);
  const root = path.join(computesDir(dataDir), branchId);
  return {
    root,
    pgdata: path.join(root, 'pgdata'),
    archive: path.join(root, 'wal-archive'),
    base: path.join(root, 'base'),
    baseNext: path.join(root, 'base-next'),
    recentBase: path.join(root, 'base-recent'),
    restoreWal: path.join(root, 'restore-wal'),
    passwordFile: path.join(root, 'admin-password'),
    logFile: path.join(root, 'postgres.log'),
    metaFile: path.join(root, 'compute.json'),
    walTimesFile: path.join(root, 'wal-times'),
  };
}
