import fs from 'node:fs';
import path from 'node:path';
import type { ComputeLayout } from './compute-layout.ts';
import { readHistory, recordWalTime, writeHistory } from './branch-history.ts';
import { copyStoppedTree } from './copy-tree.ts';
import { checkpointLsn } from './pg-control.ts';
import { formatLsn, parseLsn } from './lsn.ts';

/** initdb --wal-segsize=1 (cluster-init.ts): segment n holds the LSNs [n MiB, n+1 MiB). */
const SEGMENT_BYTES = 1n << 20n;
const SEGMENTS_PER_XLOGID = 0x1_0000_0000n / SEGMENT_BYTES;
/** `TTTTTTTTXXXXXXXXYYYYYYYY`, maybe `.partial` or `.<offset>.backup`; not `.history`. */
const SEGMENT_FILE = /^[0-9A-F]{8}([0-9A-F]{8})([0-9A-F]{8})(\.partial|\.[0-9A-F]{8}\.backup)?$/;

interface NextBase {
  lsn: string;
  time: string;
}

/**
 * Keeps a branch's history to its window (the project's history_retention_seconds) once
 * Postgres has stopped cleanly, so its WAL archive does not grow without bound:
 * - when base/ is older than the window and no newer copy waits, the stopped data directory
 *   is copied to base-next/ (its checkpoint and time noted);
 * - once base-next/ is itself older than the window, every point of the window is reachable
 *   from it: it becomes base/, the history begins at its checkpoint, and the archived
 *   segments before that checkpoint's segment are removed (timeline history files stay).
 * Points older than the window are refused by the API (see Computes.branchPoint). Returns
 * what it did, for the log.
 */
export async function keepHistoryWindow(
  layout: ComputeLayout,
  windowStartMs: number,
): Promise<string[]> {
  const done: string[] = [];
  const history = readHistory(layout);
  if (!history) return done;
  // Where the stopped cluster is now: also a note of when its last position was reached.
  recordWalTime(layout, formatLsn(checkpointLsn(layout.pgdata)));
  let next = readNextBase(layout);
  if (next && Date.parse(next.time) <= windowStartMs) {
    fs.rmSync(layout.base, { recursive: true, force: true });
    fs.renameSync(layout.baseNext, layout.base);
    fs.rmSync(nextBaseFile(layout), { force: true });
    writeHistory(layout, { ...history, baseLsn: next.lsn, baseTime: next.time });
    const removed = pruneArchive(layout, parseLsn(next.lsn));
    done.push(`history now begins at ${next.lsn} (${next.time}); ${removed} WAL files removed`);
    next = undefined;
  }
  const baseTime = Date.parse(readHistory(layout)!.baseTime);
  if (!next && baseTime <= windowStartMs) {
    fs.rmSync(layout.baseNext, { recursive: true, force: true });
    await copyStoppedTree(layout.pgdata, layout.baseNext);
    const taken: NextBase = {
      lsn: formatLsn(checkpointLsn(layout.baseNext)),
      time: new Date().toISOString(),
    };
    fs.writeFileSync(nextBaseFile(layout), JSON.stringify(taken) + '\n', { mode: 0o600 });
    done.push(`base copy taken at ${taken.lsn}, to begin the history once the window passes it`);
  }
  return done;
}

function nextBaseFile(layout: ComputeLayout): string {
  return `${layout.baseNext}.json`;
}

function readNextBase(layout: ComputeLayout): NextBase | undefined {
  if (!fs.existsSync(layout.baseNext)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(nextBaseFile(layout), 'utf8')) as NextBase;
  } catch {
    // A copy cut short (no note written): made again next time.
    fs.rmSync(layout.baseNext, { recursive: true, force: true });
    return undefined;
  }
}

/** Removes archived WAL of segments before the one holding `from` (any timeline). */
function pruneArchive(layout: ComputeLayout, from: bigint): number {
  const keepFrom = from / SEGMENT_BYTES;
  let removed = 0;
  for (const name of fs.readdirSync(layout.archive)) {
    const match = SEGMENT_FILE.exec(name);
    if (!match) continue;
    const segment = BigInt(`0x${match[1]}`) * SEGMENTS_PER_XLOGID + BigInt(`0x${match[2]}`);
    if (segment >= keepFrom) continue;
    fs.rmSync(path.join(layout.archive, name), { force: true });
    removed++;
  }
  return removed;
}
