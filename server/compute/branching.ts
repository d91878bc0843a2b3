import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Cluster } from './cluster.ts';
import type { ComputeLayout } from './compute-layout.ts';
import { copyLiveTree, copyStoppedTree } from './copy-tree.ts';
import { giveToPostgres, makePostgresDir } from './os-user.ts';
import { writeRecoveryConfig, type RecoveryTarget } from './postgres-config.ts';
import { prepareComputeRoot, ADMIN_ROLE } from './cluster-init.ts';
import { readHistory, recordSharedBase, type BranchHistory } from './branch-history.ts';
import { formatLsn, parseLsn } from './lsn.ts';
import { checkpointLsn } from './pg-control.ts';
import { scramVerifier } from './scram.ts';
import { CERT_FILE, KEY_FILE } from './tls.ts';

/**
 * How a branch's cluster is made from its parent's (the parent is running and leased):
 * - from the head: an online copy of the parent's data directory between pg_backup_start
 *   and pg_backup_stop, replayed to the end of the backup (recovery_target = immediate);
 * - at a point (LSN or time): the parent's base/ copy plus its archived WAL, replayed to
 *   recovery_target_lsn / recovery_target_time.
 * Either way the child then promotes (a new timeline: independent from here on), gets its
 * own admin password and certificate, and is left running; its history (what a branch of it
 * replays from) is the parent's base/ and WAL up to the branch point, then its own WAL.
 */
export type BranchPoint = { lsn: string } | { time: string } | undefined;

export class BranchPointError extends Error {}

const RECOVERY_TIMEOUT_MS = 300_000;
const ARCHIVE_WAIT_MS = 30_000;

/** Copies the parent's running cluster into child.pgdata as an online base backup. */
export async function copyHead(
  parent: Cluster,
  child: ComputeLayout,
  timings: Record<string, number> = {},
): Promise<void> {
  const lap = lapTimer(timings);
  await onlineBackup(parent, child.pgdata, lap);
  stageParentWal(parent.layout, child);
  freshIdentity(parent.layout, child);
  writeRecoveryConfig(child.pgdata, { immediate: true });
  lap('stage');
}

/**
 * An online base backup of the running cluster into `to` (its backup_label included):
 * consistent once replayed to `endLsn`, from WAL the archive holds from `startLsn` on.
 */
async function onlineBackup(
  parent: Cluster,
  to: string,
  lap: (name: string) => void = () => {},
): Promise<{ startLsn: string; endLsn: string }> {
  return parent.withSession(async (session) => {
    const started = await session.query<{ lsn: string }>(
      "SELECT pg_catalog.pg_backup_start('neon-local branch', true) AS lsn",
    );
    lap('backup start');
    let stopped = false;
    try {
      await copyLiveTree(parent.layout.pgdata, to, skipInBackup);
      lap('copy');
      await fs.promises.copyFile(
        path.join(parent.layout.pgdata, 'global', 'pg_control'),
        path.join(to, 'global', 'pg_control'),
      );
      // Not pg_backup_stop's own wait for the archive: it looks once a second (a second
      // added to every branch); the needed segment is awaited here, every 10 ms.
      const result = await session.query<{
        labelfile: string;
        spcmapfile: string;
        lsn: string;
        segment: string;
      }>(
        `SELECT labelfile, spcmapfile, lsn, pg_catalog.pg_walfile_name(lsn) AS segment
           FROM pg_catalog.pg_backup_stop(false)`,
      );
      stopped = true;
      const stop = result.rows[0]!;
      await untilArchived(parent.layout, stop.segment);
      lap('backup stop');
      fs.writeFileSync(path.join(to, 'backup_label'), stop.labelfile);
      if (stop.spcmapfile) fs.writeFileSync(path.join(to, 'tablespace_map'), stop.spcmapfile);
      return { startLsn: started.rows[0]!.lsn, endLsn: stop.lsn };
    } finally {
      if (!stopped) await session.query('SELECT pg_catalog.pg_backup_stop(false)').catch(() => {});
    }
  });
}

/** WAL a branch of this one at `lsn` must replay since the newest base it could start from. */
export function walSinceNewestBase(layout: ComputeLayout, lsn: string): bigint {
  const recent = readRecentBase(layout);
  const newest = recent ? parseLsn(recent.endLsn) : checkpointLsn(layout.base);
  return parseLsn(lsn) - newest;
}

/**
 * Takes base-recent/ (compute-layout.ts) from the running cluster: written beside it first,
 * then put in place, its note last, so a copy cut short is never used. Resolves with the
 * LSN it is consistent from.
 */
export async function takeRecentBase(parent: Cluster): Promise<string> {
  const layout = parent.layout;
  const temp = `${layout.recentBase}.tmp`;
  fs.rmSync(temp, { recursive: true, force: true });
  try {
    const lsns = await onlineBackup(parent, temp);
    fs.rmSync(recentBaseFile(layout), { force: true });
    fs.rmSync(layout.recentBase, { recursive: true, force: true });
    fs.renameSync(temp, layout.recentBase);
    fs.writeFileSync(recentBaseFile(layout), JSON.stringify(lsns) + '\n', { mode: 0o600 });
    return lsns.endLsn;
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

interface RecentBase {
  startLsn: string;
  endLsn: string;
}

function recentBaseFile(layout: ComputeLayout): string {
  return `${layout.recentBase}.json`;
}

function readRecentBase(layout: ComputeLayout): RecentBase | undefined {
  try {
    const recent = JSON.parse(fs.readFileSync(recentBaseFile(layout), 'utf8')) as RecentBase;
    return fs.existsSync(layout.recentBase) ? recent : undefined;
  } catch {
    return undefined;
  }
}

/**
 * base-recent/ when a branch at `lsn` can start from it: the point is strictly past where
 * the copy is consistent (recovery must be consistent before its target), and the WAL
 * since the copy's start is still in the history (the archive keeps everything from the
 * history's base on).
 */
function recentBaseFor(
  layout: ComputeLayout,
  history: BranchHistory,
  lsn: bigint,
): RecentBase | undefined {
  const recent = readRecentBase(layout);
  if (!recent || parseLsn(recent.endLsn) >= lsn) return undefined;
  return parseLsn(recent.startLsn) >= parseLsn(history.baseLsn) ? recent : undefined;
}

/** `lap(name)` notes the milliseconds since the previous lap (or the start) as a phase. */
function lapTimer(timings: Record<string, number>): (name: string) => void {
  let began = Date.now();
  return (name) => {
    timings[name] = Date.now() - began;
    began = Date.now();
  };
}

const SKIPPED_IN_BACKUP = new Set([
  'postmaster.pid',
  'postmaster.opts',
  'backup_label',
  'tablespace_map',
  'recovery.signal',
  'standby.signal',
  'global/pg_control', // copied last, after everything else
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);

function skipInBackup(relative: string): boolean {
  return SKIPPED_IN_BACKUP.has(relative) || path.basename(relative).startsWith('pgsql_tmp');
}

/**
 * Copies the parent's base/ into child.pgdata, set to replay the parent's archive up to
 * the point. The parent is asked first to write a commit record and to archive its current
 * WAL segment, so any point up to now is in the archive and a time target has a record
 * after it to stop at.
 */
export async function copyAtPoint(
  parent: Cluster,
  child: ComputeLayout,
  point: { lsn: string } | { time: string },
  timings: Record<string, number> = {},
): Promise<void> {
  const lap = lapTimer(timings);
  const history = readHistory(parent.layout);
  if (!history) throw new Error('The parent branch has no recorded history');
  const head = await archiveHead(parent);
  lap('archive head');
  if ('lsn' in point) {
    const lsn = parseLsn(point.lsn);
    if (lsn > head) {
      throw new BranchPointError(
        `LSN ${point.lsn} is ahead of the parent's head (${formatLsn(head)})`,
      );
    }
    if (lsn < parseLsn(history.baseLsn)) {
      throw new BranchPointError(
        `LSN ${point.lsn} is before the start of the parent branch's history (${history.baseLsn})`,
      );
    }
  } else {
    const time = Date.parse(point.time);
    if (Number.isNaN(time)) throw new BranchPointError(`Not a timestamp: ${point.time}`);
    if (time > Date.now()) throw new BranchPointError(`${point.time} is in the future`);
    if (time < Date.parse(history.baseTime)) {
      throw new BranchPointError(
        `${point.time} is before the start of the parent branch's history (${history.baseTime})`,
      );
    }
  }
  // An LSN past the end of base-recent/ replays only what came after it (a time point
  // could fall before its end, and is copied from base/).
  const recent =
    'lsn' in point ? recentBaseFor(parent.layout, history, parseLsn(point.lsn)) : undefined;
  await copyStoppedTree(recent ? parent.layout.recentBase : parent.layout.base, child.pgdata);
  lap(recent ? 'copy recent base' : 'copy base');
  stageParentWal(parent.layout, child);
  freshIdentity(parent.layout, child);
  lap('stage');
  // A base/ shared with the parent begins before the branch's own history: replay to it.
  const baseCheckpoint = checkpointLsn(parent.layout.base);
  const target: RecoveryTarget =
    'lsn' in point
      ? !recent && parseLsn(point.lsn) <= baseCheckpoint
        ? { immediate: true }
        : { lsn: point.lsn }
      : { time: postgresTimestamp(Date.parse(point.time)) };
  writeRecoveryConfig(child.pgdata, target);
}

/** `2026-12-02 06:49:49.585+00`: recovery_target_time refuses ISO 8601's `T…Z` spelling. */
function postgresTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '+00');
}

/** A commit record now, then a segment switch; resolves with the head LSN once archived. */
async function archiveHead(parent: Cluster): Promise<bigint> {
  return parent.withSession(async (session) => {
    await session.query('SELECT pg_catalog.txid_current()');
    const { rows } = await session.query<{ head: string; segment: string }>(
      `SELECT pg_catalog.pg_current_wal_lsn() AS head,
              pg_catalog.pg_walfile_name(pg_catalog.pg_switch_wal()) AS segment`,
    );
    const { head, segment } = rows[0]!;
    await untilArchived(parent.layout, segment);
    return parseLsn(head);
  });
}

/** Resolves once the parent's archiver has copied that WAL segment into its archive. */
async function untilArchived(parent: ComputeLayout, segment: string): Promise<void> {
  const deadline = Date.now() + ARCHIVE_WAIT_MS;
  while (!fs.existsSync(path.join(parent.archive, segment))) {
    if (Date.now() > deadline) {
      throw new Error(`WAL segment ${segment} was not archived within ${ARCHIVE_WAIT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Hard links of the parent's archived segments (immutable once archived) for restore_command. */
function stageParentWal(parent: ComputeLayout, child: ComputeLayout): void {
  fs.rmSync(child.restoreWal, { recursive: true, force: true });
  makePostgresDir(child.restoreWal);
  for (const name of fs.readdirSync(parent.archive)) {
    if (name.endsWith('.tmp')) continue;
    const from = path.join(parent.archive, name);
    const to = path.join(child.restoreWal, name);
    try {
      fs.linkSync(from, to);
    } catch {
      fs.copyFileSync(from, to);
    }
  }
  giveToPostgres(child.restoreWal);
}

/**
 * The copy logs in with the parent's admin password until it is rotated; it gets its own
 * certificate (made at its first start) and an empty pg_wal.
 */
function freshIdentity(parent: ComputeLayout, child: ComputeLayout): void {
  fs.copyFileSync(parent.passwordFile, child.passwordFile);
  fs.chmodSync(child.passwordFile, 0o600);
  fs.rmSync(path.join(child.pgdata, CERT_FILE), { force: true });
  fs.rmSync(path.join(child.pgdata, KEY_FILE), { force: true });
  fs.rmSync(path.join(child.pgdata, 'postmaster.pid'), { force: true });
  fs.mkdirSync(path.join(child.pgdata, 'pg_wal', 'archive_status'), { recursive: true });
  giveToPostgres(child.pgdata);
}

export function prepareChild(child: ComputeLayout): void {
  fs.rmSync(child.root, { recursive: true, force: true });
  prepareComputeRoot(child);
}

/**
 * Replays the prepared child to its target and promotes it, then gives it a new admin
 * password. Either way it was made (online copy or the parent's base/ and WAL), the parent's
 * base/ and WAL up to the branch point become the start of the child's own history (hard
 * links), so no second copy is taken, and the child is left running: it serves at once.
 * Resolves with the LSN where the child leaves the parent's history.
 */
export async function finishChild(
  child: Cluster,
  parent: { branchId: string; layout: ComputeLayout },
  timings: Record<string, number> = {},
): Promise<BranchHistory & { parent: NonNullable<BranchHistory['parent']> }> {
  const lap = lapTimer(timings);
  await child.start({ readyTimeoutMs: RECOVERY_TIMEOUT_MS });
  let lsn: string;
  try {
    await waitForPromotion(child);
    lap('replay');
    lsn = await child.withSession(async (session) => {
      const { rows } = await session.query<{ lsn: string | null; head: string }>(
        'SELECT pg_catalog.pg_last_wal_replay_lsn() AS lsn, pg_catalog.pg_current_wal_lsn() AS head',
      );
      await rotateAdminPassword(child, session);
      return rows[0]!.lsn ?? rows[0]!.head;
    });
    writeRecoveryConfig(child.layout.pgdata, null);
    const point = { branchId: parent.branchId, lsn };
    const history = await recordSharedBase(child.layout, parent.layout, point);
    lap('base');
    return { ...history, parent: point };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** Hot standby accepts sessions before the target is reached: wait until it has promoted. */
async function waitForPromotion(child: Cluster): Promise<void> {
  const deadline = Date.now() + RECOVERY_TIMEOUT_MS;
  for (;;) {
    if (!child.running) {
      throw new Error(
        `Replaying the parent's WAL failed: ${child.recentLog() || 'Postgres exited'}`,
      );
    }
    const inRecovery = await child
      .withSession(async (session) => {
        const { rows } = await session.query<{ r: boolean }>(
          'SELECT pg_catalog.pg_is_in_recovery() AS r',
        );
        return rows[0]!.r;
      })
      .catch(() => true);
    if (!inRecovery) return;
    if (Date.now() > deadline) {
      throw new Error(`The branch did not finish replaying within ${RECOVERY_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The child's internal superuser gets its own password (the copy had the parent's). */
async function rotateAdminPassword(
  child: Cluster,
  session: { query: (sql: string) => Promise<unknown>; escapeLiteral: (s: string) => string },
): Promise<void> {
  const password = crypto.randomBytes(24).toString('base64url');
  const temp = `${child.layout.passwordFile}.new`;
  fs.writeFileSync(temp, password, { mode: 0o600 });
  await session.query(
    `ALTER ROLE ${ADMIN_ROLE} WITH PASSWORD ${session.escapeLiteral(scramVerifier(password))}`,
  );
  fs.renameSync(temp, child.layout.passwordFile);
}
