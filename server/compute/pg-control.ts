import fs from 'node:fs';
import path from 'node:path';

/**
 * The last checkpoint's LSN from global/pg_control, read without starting Postgres (we have
 * no pg_controldata). ControlFileData starts: system_identifier u64, pg_control_version
 * u32, catalog_version_no u32, state i32, (pad), time i64, checkPoint u64 at byte 32.
 * After a clean shutdown this is the shutdown checkpoint: the end of the cluster's history.
 */
export function checkpointLsn(pgdata: string): bigint {
  const fd = fs.openSync(path.join(pgdata, 'global', 'pg_control'), 'r');
  try {
    const buffer = Buffer.alloc(40);
    fs.readSync(fd, buffer, 0, 40, 0);
    return buffer.readBigUInt64LE(32);
  } finally {
    fs.closeSync(fd);
  }
}
