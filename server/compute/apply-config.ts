import type pg from 'pg';
import { isScramVerifier, scramVerifier, verifierMatches } from './scram.ts';
import { ADMIN_ROLE } from './cluster-init.ts';

/**
 * The roles and databases the control plane wants on a branch (Neon's compute spec, cut to
 * what this project manages). Applying it is idempotent: what exists and matches is left
 * alone, so it doubles as the repair after a crash or restart.
 * - `roles`: each exists; `password` is the plaintext or a SCRAM-SHA-256 verifier (only a
 *   verifier is ever sent to Postgres); `null` makes a NOLOGIN role.
 * - `databases`: each exists with that owner.
 * - `dropRoles` / `dropDatabases`: what the control plane deleted. Nothing else is ever
 *   dropped: roles made with SQL are the user's.
 */
export interface DesiredState {
  roles: { name: string; password: string | null }[];
  databases: { name: string; owner: string }[];
  dropRoles?: string[];
  dropDatabases?: string[];
}

/** What an apply changed, one plain sentence per change (never a password). */
export type ApplyReport = string[];

const NEON_SUPERUSER = 'neon_superuser';
const INTERNAL_ROLES = [ADMIN_ROLE, NEON_SUPERUSER];

/** A refusal or failure, carrying Postgres's own message (and SQLSTATE) when it has one. */
export class ApplyError extends Error {
  constructor(
    message: string,
    readonly sqlstate?: string,
  ) {
    super(message);
  }
}

function checkName(kind: 'role' | 'database', name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new ApplyError(`${kind} name is empty`);
  if (Buffer.byteLength(name, 'utf8') > 63) {
    throw new ApplyError(`${kind} name "${name}" is longer than 63 bytes`);
  }
  if (name.includes('\0')) throw new ApplyError(`${kind} name contains a NUL character`);
  if (kind === 'role' && INTERNAL_ROLES.includes(name)) {
    throw new ApplyError(`role "${name}" is reserved for the compute`);
  }
}

/** Runs fn with an admin session on that database (see Cluster.withSession). */
export type WithSession = <T>(
  database: string,
  fn: (client: pg.Client) => Promise<T>,
) => Promise<T>;

export async function applyDesiredState(
  withSession: WithSession,
  desired: DesiredState,
  /** Run on the same session once everything is applied (e.g. to read the WAL position). */
  afterwards?: (client: pg.Client) => Promise<void>,
): Promise<ApplyReport> {
  for (const role of desired.roles) checkName('role', role.name);
  for (const name of desired.dropRoles ?? []) checkName('role', name);
  for (const db of desired.databases) checkName('database', db.name);
  for (const name of desired.dropDatabases ?? []) checkName('database', name);

  const report: ApplyReport = [];
  try {
    await withSession('postgres', async (client) => {
      await ensureNeonSuperuser(client, report);
      await applyRoles(client, desired.roles, report);
      await applyDatabases(client, desired.databases, report);
      for (const name of desired.dropDatabases ?? []) await dropDatabase(client, name, report);
      for (const name of desired.dropRoles ?? []) await dropRole(client, withSession, name, report);
      await afterwards?.(client);
    });
  } catch (error) {
    throw asApplyError(error);
  }
  return report;
}

/** Neon's group role that every user role belongs to (created at the first apply). */
async function ensureNeonSuperuser(client: pg.Client, report: ApplyReport): Promise<void> {
  const found = await client.query('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [
    NEON_SUPERUSER,
  ]);
  if (found.rowCount) return;
  await client.query(
    `CREATE ROLE ${NEON_SUPERUSER} CREATEDB CREATEROLE NOLOGIN REPLICATION BYPASSRLS IN ROLE pg_read_all_data, pg_write_all_data`,
  );
  report.push(`created role ${NEON_SUPERUSER}`);
}

async function applyRoles(
  client: pg.Client,
  roles: DesiredState['roles'],
  report: ApplyReport,
): Promise<void> {
  if (roles.length === 0) return;
  const existing = new Map(
    (
      await client.query<{ rolname: string; rolcanlogin: boolean; rolpassword: string | null }>(
        'SELECT rolname, rolcanlogin, rolpassword FROM pg_catalog.pg_authid WHERE rolname = ANY($1)',
        [roles.map((role) => role.name)],
      )
    ).rows.map((row) => [row.rolname, row]),
  );
  const id = (name: string) => client.escapeIdentifier(name);
  // All role changes or none.
  await client.query('BEGIN');
  try {
    for (const role of roles) {
      const current = existing.get(role.name);
      const verifier =
        role.password === null
          ? null
          : isScramVerifier(role.password)
            ? role.password
            : current?.rolpassword && verifierMatches(current.rolpassword, role.password)
              ? current.rolpassword
              : scramVerifier(role.password);
      const login =
        verifier === null ? 'NOLOGIN' : `LOGIN PASSWORD ${client.escapeLiteral(verifier)}`;
      if (!current) {
        await client.query(
          `CREATE ROLE ${id(role.name)} WITH ${login} CREATEDB CREATEROLE IN ROLE ${NEON_SUPERUSER}`,
        );
        report.push(`created role "${role.name}"`);
      } else if (verifier === null && (current.rolcanlogin || current.rolpassword !== null)) {
        await client.query(`ALTER ROLE ${id(role.name)} WITH NOLOGIN PASSWORD NULL`);
        report.push(`made role "${role.name}" NOLOGIN`);
      } else if (verifier !== null && (!current.rolcanlogin || current.rolpassword !== verifier)) {
        await client.query(`ALTER ROLE ${id(role.name)} WITH ${login}`);
        report.push(`set the password of role "${role.name}"`);
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

async function applyDatabases(
  client: pg.Client,
  databases: DesiredState['databases'],
  report: ApplyReport,
): Promise<void> {
  if (databases.length === 0) return;
  const existing = new Map(
    (
      await client.query<{ datname: string; owner: string }>(
        'SELECT datname, pg_catalog.pg_get_userbyid(datdba) AS owner FROM pg_catalog.pg_database WHERE datname = ANY($1)',
        [databases.map((db) => db.name)],
      )
    ).rows.map((row) => [row.datname, row.owner]),
  );
  for (const db of databases) {
    const owner = existing.get(db.name);
    const name = client.escapeIdentifier(db.name);
    const wanted = client.escapeIdentifier(db.owner);
    // CREATE DATABASE cannot run inside a transaction: one statement per database.
    if (owner === undefined) {
      await client.query(`CREATE DATABASE ${name} OWNER ${wanted}`);
      report.push(`created database "${db.name}" owned by "${db.owner}"`);
    } else if (owner !== db.owner) {
      await client.query(`ALTER DATABASE ${name} OWNER TO ${wanted}`);
      report.push(`gave database "${db.name}" to "${db.owner}"`);
    }
  }
}

async function dropDatabase(client: pg.Client, name: string, report: ApplyReport): Promise<void> {
  const found = await client.query('SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1', [
    name,
  ]);
  if (!found.rowCount) return;
  // FORCE ends the sessions still connected to it, as Neon does.
  await client.query(`DROP DATABASE ${client.escapeIdentifier(name)} WITH (FORCE)`);
  report.push(`dropped database "${name}"`);
}

/**
 * Neon's compute_ctl way: in each database where the role owns or is granted something,
 * REASSIGN OWNED BY it TO the database's owner, then DROP OWNED BY it (its remaining
 * privileges); then DROP ROLE. A role that still owns a database is refused before anything
 * changes, with Postgres's own wording, so a failed drop never leaves a half-dropped role.
 */
async function dropRole(
  client: pg.Client,
  withSession: WithSession,
  name: string,
  report: ApplyReport,
): Promise<void> {
  const role = await client.query<{ oid: number }>(
    'SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1',
    [name],
  );
  if (!role.rowCount) return;
  const oid = role.rows[0]!.oid;
  const owned = await client.query<{ datname: string }>(
    'SELECT datname FROM pg_catalog.pg_database WHERE datdba = $1 ORDER BY datname',
    [oid],
  );
  if (owned.rowCount) {
    throw new ApplyError(
      `role "${name}" cannot be dropped because some objects depend on it: ${owned.rows
        .map((row) => `owner of database ${row.datname}`)
        .join(', ')}`,
      '2BP01',
    );
  }
  const dependent = await client.query<{ datname: string; owner: string }>(
    `SELECT d.datname, pg_catalog.pg_get_userbyid(d.datdba) AS owner
       FROM pg_catalog.pg_database d
      WHERE d.datallowconn AND d.oid IN (
        -- dbid 0: privileges on shared objects (a database's CONNECT…), revoked from anywhere
        SELECT CASE WHEN dbid = 0
                    THEN (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
                    ELSE dbid END
          FROM pg_catalog.pg_shdepend
         WHERE refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass AND refobjid = $1)
      ORDER BY d.datname`,
    [oid],
  );
  const id = client.escapeIdentifier(name);
  for (const db of dependent.rows) {
    await withSession(db.datname, async (session) => {
      await session.query('BEGIN');
      try {
        await session.query(`REASSIGN OWNED BY ${id} TO ${session.escapeIdentifier(db.owner)}`);
        await session.query(`DROP OWNED BY ${id}`);
        await session.query('COMMIT');
      } catch (error) {
        await session.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
    report.push(`gave the objects of "${name}" in database "${db.datname}" to "${db.owner}"`);
  }
  await client.query(`DROP ROLE ${id}`);
  // A deleted user's open sessions go too (by oid: the name no longer resolves).
  await client.query(
    'SELECT pg_catalog.pg_terminate_backend(pid, 5000) FROM pg_catalog.pg_stat_activity WHERE usesysid = $1',
    [oid],
  );
  report.push(`dropped role "${name}"`);
}

function asApplyError(error: unknown): Error {
  if (error instanceof ApplyError) return error;
  const pgError = error as { message?: string; detail?: string; code?: string };
  if (pgError && typeof pgError.code === 'string' && pgError.message) {
    const detail = pgError.detail ? ` (${pgError.detail.replace(/\n/g, '; ')})` : '';
    return new ApplyError(`${pgError.message}${detail}`, pgError.code);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Roles as Postgres has them (internal and pg_* roles left out). */
export async function listRoles(
  client: pg.Client,
): Promise<{ name: string; canLogin: boolean; hasPassword: boolean }[]> {
  const result = await client.query<{ name: string; canLogin: boolean; hasPassword: boolean }>(
    `SELECT rolname AS name, rolcanlogin AS "canLogin", rolpassword IS NOT NULL AS "hasPassword"
       FROM pg_catalog.pg_authid
      WHERE rolname !~ '^pg_' AND NOT (rolname = ANY($1))
      ORDER BY rolname`,
    [INTERNAL_ROLES],
  );
  return result.rows;
}

/** User databases (templates left out) with their owners. */
export async function listDatabases(client: pg.Client): Promise<{ name: string; owner: string }[]> {
  const result = await client.query<{ name: string; owner: string }>(
    `SELECT datname AS name, pg_catalog.pg_get_userbyid(datdba) AS owner
       FROM pg_catalog.pg_database WHERE NOT datistemplate ORDER BY datname`,
  );
  return result.rows;
}
