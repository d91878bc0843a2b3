import fs from 'node:fs';
import path from 'node:path';
import { ARCHIVE_FROM_PGDATA, RESTORE_WAL_FROM_PGDATA } from './compute-layout.ts';
import { CERT_FILE, KEY_FILE } from './tls.ts';
import { giveToPostgres } from './os-user.ts';

const RECOVERY_FILE = 'compute.recovery.conf';

/**
 * postgresql.conf for a small, local, Neon-like compute. Rewritten on every start, so a
 * change here reaches every existing data directory. Why the less obvious ones:
 * - memory: one running compute should stay small (≈17 MB PSS idle), many can be running;
 * - no unix socket and loopback only: every session arrives through TCP + TLS + SCRAM;
 * - 1 MB WAL segments (initdb --wal-segsize=1): a forced segment switch for a branch
 *   point archives 1 MB, not 16;
 * - fsync off: a local development database survives a crash of Postgres or of us (the
 *   page cache holds the writes), not a power cut; it makes initdb, branching and tests
 *   several times faster on a shared disk;
 * - log_min_error_statement = panic: a failing statement's text is never logged, so a
 *   role's password (sent as a SCRAM verifier anyway) can never reach the log;
 * - connections as Neon's smallest compute (0.25 CU: 104, 7 kept for the superuser): a
 *   login storm of 50 clients fits, and the engine's own session can still get in.
 */
function computeSettings(): Record<string, string | number> {
  const archive = `${ARCHIVE_FROM_PGDATA}/%f`;
  return {
    listen_addresses: "'127.0.0.1'",
    unix_socket_directories: "''",
    max_connections: 104,
    superuser_reserved_connections: 7,
    shared_buffers: "'16MB'",
    // Postgres zero-fills these at start (the postmaster's pages count in every compute):
    // 64 kB of WAL buffers instead of 512 kB is plenty for a local compute's commits, and
    // the predicate-lock table (SERIALIZABLE only) sized 16 per connection instead of 64
    // still fits 1,700 targets before it coarsens to relation locks. Measured together:
    // -2.0 MB summed RSS, -1.6 MB PSS per idle compute.
    wal_buffers: "'64kB'",
    max_pred_locks_per_transaction: 16,
    work_mem: "'4MB'",
    maintenance_work_mem: "'16MB'",
    max_worker_processes: 4,
    max_parallel_workers: 0,
    max_parallel_workers_per_gather: 0,
    max_parallel_maintenance_workers: 0,
    max_logical_replication_workers: 0,
    max_wal_senders: 0,
    max_replication_slots: 0,
    autovacuum_max_workers: 1,
    wal_level: 'replica',
    archive_mode: 'on',
    // Overwrites rather than refuses an existing file: after a crash Postgres may archive a
    // completed segment a second time, and refusing would stall archiving for good.
    archive_command: `'cp %p ${archive}.tmp && mv -f ${archive}.tmp ${archive}'`,
    min_wal_size: "'4MB'",
    max_wal_size: "'64MB'",
    fsync: 'off',
    ssl: 'on',
    ssl_cert_file: `'${CERT_FILE}'`,
    ssl_key_file: `'${KEY_FILE}'`,
    ssl_min_protocol_version: "'TLSv1.2'",
    password_encryption: "'scram-sha-256'",
    // A client that stalls mid-login holds up CREATE/DROP DATABASE (its backend does not
    // answer their barrier until authentication ends): 60 s by default, 10 s here.
    authentication_timeout: "'10s'",
    timezone: "'UTC'",
    log_timezone: "'UTC'",
    datestyle: "'iso, mdy'",
    lc_messages: "'C'",
    default_text_search_config: "'pg_catalog.english'",
    dynamic_shared_memory_type: 'posix',
    huge_pages: 'off',
    jit: 'off',
    logging_collector: 'off',
    log_destination: "'stderr'",
    log_line_prefix: "'%m [%p] '",
    log_statement: "'none'",
    log_min_error_statement: 'panic',
    log_connections: 'off',
    log_disconnections: 'off',
    log_checkpoints: 'off',
    hot_standby: 'on',
  };
}

export function writeComputeConfig(pgdata: string): void {
  const lines = ['# Written by the compute engine (server/compute) at each start; edits are lost.'];
  for (const [name, value] of Object.entries(computeSettings())) lines.push(`${name} = ${value}`);
  lines.push(`include = '${RECOVERY_FILE}'`, '');
  const recovery = path.join(pgdata, RECOVERY_FILE);
  if (!fs.existsSync(recovery)) writeOwned(recovery, '');
  writeOwned(path.join(pgdata, 'postgresql.conf'), lines.join('\n'));
  // No trust anywhere. TLS is required for TCP; there is no socket, and a local line that
  // ever became reachable would still ask for a SCRAM password.
  writeOwned(
    path.join(pgdata, 'pg_hba.conf'),
    [
      '# Written by the compute engine (server/compute).',
      'local   all all                scram-sha-256',
      'hostssl all all 127.0.0.1/32   scram-sha-256',
      'hostssl all all ::1/128        scram-sha-256',
      '',
    ].join('\n'),
  );
}

/** What a branch being made replays to. LSN and time are passed as validated text. */
export type RecoveryTarget = { lsn: string } | { time: string } | { immediate: true };

/**
 * Point-in-time recovery settings (read only while recovery.signal exists): WAL comes from
 * restore-wal/, recovery stops at the target and promotes. `null` removes them.
 */
export function writeRecoveryConfig(pgdata: string, target: RecoveryTarget | null): void {
  const file = path.join(pgdata, RECOVERY_FILE);
  const signal = path.join(pgdata, 'recovery.signal');
  if (!target) {
    writeOwned(file, '');
    fs.rmSync(signal, { force: true });
    return;
  }
  const lines = [
    `restore_command = 'cp ${RESTORE_WAL_FROM_PGDATA}/%f %p'`,
    "recovery_target_action = 'promote'",
    "recovery_target_timeline = 'latest'",
    // No sessions until promoted (and no hot-standby check of settings against the
    // parent's: initdb's max_connections in an old base would otherwise stop replay).
    'hot_standby = off',
  ];
  if ('lsn' in target) {
    if (!/^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i.test(target.lsn)) throw new Error('bad LSN');
    // Exclusive: the branch holds the records that begin before the LSN (Neon's parent_lsn:
    // pg_current_wal_lsn() read at the branch point, the next record is already after it).
    lines.push(`recovery_target_lsn = '${target.lsn}'`, 'recovery_target_inclusive = off');
  } else if ('time' in target) {
    if (!/^[0-9:. T+-]+Z?$/.test(target.time)) throw new Error('bad recovery time');
    lines.push(`recovery_target_time = '${target.time}'`);
  } else {
    lines.push("recovery_target = 'immediate'");
  }
  writeOwned(file, lines.join('\n') + '\n');
  writeOwned(signal, '');
}

function writeOwned(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
  giveToPostgres(file);
}
