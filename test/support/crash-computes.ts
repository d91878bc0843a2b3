/**
 * The crash driver's view of the computes (`--computes`): what Postgres itself says, seen
 * as a client would (logging in with `pg`), the postmasters to kill, and the process table
 * to find a Postgres that outlived the server that started it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { postgresProcessesUnder } from './compute-helpers.ts';
import { query, tryLogin as tryLoginAs } from './pg-login.ts';

export interface Credentials {
  name: string;
  password: string;
}

/** SQLSTATE of a refused password (also what Postgres answers for a role that does not exist). */
const INVALID_PASSWORD = '28P01';

/** undefined when the login works; else the SQLSTATE (or Node's code) and message. */
export function tryLogin(host: string, { name, password }: Credentials) {
  return tryLoginAs({ host, user: name, password, database: 'neondb' });
}

/** The roles Postgres has (its own and pg_* left out), read by a role of the branch. */
async function postgresRoles(host: string, login: Credentials): Promise<string[]> {
  const rows = await query<{ rolname: string }>(
    { host, user: login.name, password: login.password, database: 'neondb' },
    `SELECT rolname FROM pg_roles
      WHERE rolname !~ '^pg_' AND rolname NOT IN ('cloud_admin', 'neon_superuser')`,
  );
  return rows.map((r) => r.rolname);
}

export interface BranchInPostgres {
  host: string;
  /** A role that can always log in (the project's owner), to read the catalog. */
  owner: Credentials;
  /** The roles the API lists for the branch. */
  listed: string[];
  /** Present roles changed since the last check: each must log in with this password. */
  mustLogIn: Credentials[];
  /** Passwords replaced by a reset, and roles deleted: each login must be refused (28P01). */
  mustBeRefused: Credentials[];
}

/**
 * Whether Postgres agrees with the store for one branch, once its operations have finished:
 * the same roles, the current passwords log in, old ones and deleted roles are refused.
 * Answers one sentence per disagreement.
 */
export async function disagreements(branch: BranchInPostgres): Promise<string[]> {
  const found: string[] = [];
  const inPostgres = new Set(await postgresRoles(branch.host, branch.owner));
  const listed = new Set(branch.listed);
  for (const name of listed)
    if (!inPostgres.has(name)) found.push(`role ${JSON.stringify(name)} listed, not in Postgres`);
  for (const name of inPostgres)
    if (!listed.has(name)) found.push(`role ${JSON.stringify(name)} in Postgres, not listed`);
  await Promise.all([
    ...branch.mustLogIn.map(async (login) => {
      const error = await tryLogin(branch.host, login);
      if (error)
        found.push(
          `role ${JSON.stringify(login.name)} cannot log in: ${error.code} ${error.message}`,
        );
    }),
    ...branch.mustBeRefused.map(async (login) => {
      const error = await tryLogin(branch.host, login);
      if (!error)
        found.push(`role ${JSON.stringify(login.name)} logged in with a password it no longer has`);
      else if (error.code !== INVALID_PASSWORD)
        found.push(
          `role ${JSON.stringify(login.name)}: refused with ${error.code} ${error.message}, not 28P01`,
        );
    }),
  ]);
  return found;
}

/**
 * After the server was killed: waits until no Postgres of its data directory is left (its
 * watchdogs stop them). Answers the pids still there after `timeoutMs`: orphans.
 */
export async function orphansAfter(dataDir: string, timeoutMs: number): Promise<number[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const left = postgresProcessesUnder(dataDir);
    if (!left.length || performance.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** SIGKILLs the postmaster of one running compute under `dataDir`; answers its branch, if any ran. */
export function killPostmaster(dataDir: string, pick: <T>(items: T[]) => T): string | undefined {
  const computes = path.join(dataDir, 'computes');
  const running: { branch: string; pid: number }[] = [];
  for (const branch of fs.existsSync(computes) ? fs.readdirSync(computes) : []) {
    try {
      const pid = Number(
        fs
          .readFileSync(path.join(computes, branch, 'pgdata', 'postmaster.pid'), 'utf8')
          .split('\n')[0],
      );
      if (pid > 0) running.push({ branch, pid });
    } catch {
      // not running
    }
  }
  if (!running.length) return undefined;
  const victim = pick(running);
  try {
    process.kill(victim.pid, 'SIGKILL');
  } catch {
    return undefined; // it had just stopped
  }
  return victim.branch;
}
