import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ComputeLayout } from './compute-layout.ts';
import { postgresBinaries } from './postgres-binaries.ts';
import { giveToPostgres, makePostgresDir, makeTraversable, postgresUser } from './os-user.ts';
import { writeComputeConfig } from './postgres-config.ts';
import { ensureCertificate } from './tls.ts';

const run = promisify(execFile);

export const ADMIN_ROLE = 'cloud_admin';
const INITDB_TIMEOUT_MS = 120_000;

/**
 * Lays out a branch's compute directory: the root stays ours (0711: Postgres may pass
 * through, not list), the directories Postgres writes belong to it. Returns the ancestors
 * it had to make searchable for the Postgres user.
 */
export function prepareComputeRoot(layout: ComputeLayout): string[] {
  fs.mkdirSync(layout.root, { recursive: true, mode: 0o711 });
  fs.chmodSync(layout.root, 0o711);
  const changed = makeTraversable(layout.root);
  makePostgresDir(layout.archive);
  return changed;
}

/** A fresh random password for the internal superuser, kept in a file only we can read. */
function newAdminPassword(layout: ComputeLayout): string {
  const password = crypto.randomBytes(24).toString('base64url');
  fs.writeFileSync(layout.passwordFile, password, { mode: 0o600 });
  return password;
}

export function readAdminPassword(layout: ComputeLayout): string {
  return fs.readFileSync(layout.passwordFile, 'utf8');
}

/**
 * initdb a new cluster: superuser `cloud_admin` with a random password, SCRAM for every
 * line, UTF-8 with the built-in C.UTF-8 locale (no dependence on the OS's locales), 1 MB
 * WAL segments; then our settings and a certificate.
 */
export async function initCluster(layout: ComputeLayout): Promise<void> {
  const { initdb } = postgresBinaries();
  prepareComputeRoot(layout);
  makePostgresDir(layout.pgdata);
  const password = newAdminPassword(layout);
  // initdb (running as the Postgres user) reads the password from a file it can open;
  // the file lives a few milliseconds, mode 0600.
  const pwfile = path.join(layout.root, `.initdb-pw-${process.pid}`);
  fs.writeFileSync(pwfile, password, { mode: 0o600 });
  giveToPostgres(pwfile);
  const { uid, gid } = postgresUser();
  try {
    await run(
      initdb,
      [
        '-D',
        layout.pgdata,
        '-U',
        ADMIN_ROLE,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--locale=C',
        '--wal-segsize=1',
        '--no-sync',
        '--no-instructions',
      ],
      { uid, gid, timeout: INITDB_TIMEOUT_MS, env: postgresEnv(), cwd: layout.root },
    );
  } catch (error) {
    const err = error as { stderr?: string; message: string };
    throw new Error(`initdb failed: ${(err.stderr || err.message).trim()}`);
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
  writeComputeConfig(layout.pgdata);
  await ensureCertificate(layout.pgdata);
}

/** The environment Postgres programs run with: nothing of ours leaks into them. */
export function postgresEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C', TZ: 'UTC' };
}
