import path from 'node:path';
import { ORG_ID_PATTERN } from './local/organization.ts';
import { NEON_LIMITS, type Limits } from './local/store/limits.ts';

/** Everything the server reads from its environment, in one place (documented in README.md). */
export interface Config {
  host: string;
  port: number;
  /** Directory of the SQLite store, or ':memory:' for a throwaway one. */
  dataDir: string;
  /** Fixed API key; when absent one is generated and kept in the data directory. */
  apiKey: string | undefined;
  /** Login of the local account (GET /users/me); names each new project's default user. */
  account: string;
  /** The one organization the local account belongs to (NEON_LOCAL_ORG_ID / _NAME). */
  orgId: string;
  orgName: string;
  /** Answer `GET /projects` and `POST /projects` without `org_id` as Neon does for an organization-only account: 400. */
  orgOnly: boolean;
  seed: boolean;
  operationMs: number;
  faults: boolean;
  rateLimitPerMinute: number;
  rateLimitPerSecond: number;
  maxBodyBytes: number;
  /** Extra host names accepted in the Host header besides loopback names and `host`. */
  allowedHosts: string[];
  /** When set, /api/v2 is forwarded to this upstream Neon API instead of the local one. */
  upstreamUrl: string | undefined;
  /** Directory holding the built console. */
  consoleDir: string;
  quiet: boolean;
  /** Each branch's read-write endpoint is a real Postgres (NEON_LOCAL_COMPUTES, default on). */
  computes: boolean;
  /** Idle seconds before a compute whose endpoint says 0 (Neon's default) suspends; 0 = never. */
  suspendTimeoutSeconds: number;
  /** Roles and databases per branch, branches per project (Neon's by default); 0 = no limit. */
  limits: Limits;
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a whole number ≥ 0, got "${value}"`);
  return n;
}

function orgId(value: string | undefined): string {
  if (value === undefined || value === '') return 'org-local-00000000';
  if (!ORG_ID_PATTERN.test(value))
    throw new Error(`NEON_LOCAL_ORG_ID must be 1–60 of a-z, 0-9 and "-", got "${value}"`);
  return value;
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return !['0', 'false', 'no', 'off'].includes(value.toLowerCase());
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cwd = process.cwd();
  const dataDir = env.NEON_LOCAL_DATA_DIR ?? path.join(cwd, '.neon-local');
  return {
    host: env.HOST ?? '127.0.0.1',
    port: int(env.PORT, 4000, 'PORT'),
    dataDir: dataDir === ':memory:' ? dataDir : path.resolve(dataDir),
    apiKey: env.NEON_API_KEY || undefined,
    account: env.NEON_LOCAL_ACCOUNT || 'demo',
    orgId: orgId(env.NEON_LOCAL_ORG_ID),
    orgName: env.NEON_LOCAL_ORG_NAME || 'Local',
    orgOnly: bool(env.NEON_LOCAL_ORG_ONLY, false),
    seed: bool(env.NEON_LOCAL_SEED, true),
    operationMs: int(env.NEON_LOCAL_OPERATION_MS, 500, 'NEON_LOCAL_OPERATION_MS'),
    faults: bool(env.NEON_LOCAL_FAULTS, false),
    rateLimitPerMinute: int(
      env.NEON_LOCAL_RATE_LIMIT_PER_MINUTE,
      700,
      'NEON_LOCAL_RATE_LIMIT_PER_MINUTE',
    ),
    rateLimitPerSecond: int(
      env.NEON_LOCAL_RATE_LIMIT_PER_SECOND,
      40,
      'NEON_LOCAL_RATE_LIMIT_PER_SECOND',
    ),
    maxBodyBytes: int(env.NEON_LOCAL_MAX_BODY_BYTES, 1024 * 1024, 'NEON_LOCAL_MAX_BODY_BYTES'),
    allowedHosts: (env.NEON_LOCAL_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    upstreamUrl: env.NEON_API_URL || undefined,
    consoleDir: path.resolve(env.NEON_LOCAL_CONSOLE_DIR ?? path.join(cwd, 'dist')),
    quiet: bool(env.NEON_LOCAL_QUIET, false),
    computes: bool(env.NEON_LOCAL_COMPUTES, true),
    suspendTimeoutSeconds: int(
      env.NEON_LOCAL_SUSPEND_TIMEOUT_SECONDS,
      300,
      'NEON_LOCAL_SUSPEND_TIMEOUT_SECONDS',
    ),
    limits: {
      rolesPerBranch: int(
        env.NEON_LOCAL_ROLES_PER_BRANCH,
        NEON_LIMITS.rolesPerBranch,
        'NEON_LOCAL_ROLES_PER_BRANCH',
      ),
      databasesPerBranch: int(
        env.NEON_LOCAL_DATABASES_PER_BRANCH,
        NEON_LIMITS.databasesPerBranch,
        'NEON_LOCAL_DATABASES_PER_BRANCH',
      ),
      branchesPerProject: int(
        env.NEON_LOCAL_BRANCHES_PER_PROJECT,
        NEON_LIMITS.branchesPerProject,
        'NEON_LOCAL_BRANCHES_PER_PROJECT',
      ),
    },
  };
}
