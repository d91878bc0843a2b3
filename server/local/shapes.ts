// Renders stored rows as the JSON of Neon's OpenAPI spec (required fields always present).
import type {
  BranchRow,
  DatabaseRow,
  EndpointRow,
  OperationRow,
  ProjectRow,
  RoleRow,
} from './store/rows.ts';
import { operationStatus, operationUpdatedAt } from './operations-engine.ts';
import { formatLsn } from './lsn.ts';
import type { Organization } from './organization.ts';

/** RFC 3339 at second precision, as Neon prints its timestamps. */
export const time = (ms: number) =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export interface Account {
  login: string;
  email: string;
  id: string;
  /** Branches a project may have, as `/users/me` and each project's owner report it. */
  branchesLimit: number;
}

const PROXY_HOST = 'local.neon.localhost';

const usage = {
  active_time_seconds: 0,
  compute_time_seconds: 0,
  written_data_bytes: 0,
  data_transfer_bytes: 0,
  cpu_used_sec: 0,
};

function projectCommon(p: ProjectRow, account: Account) {
  return {
    id: p.id,
    platform_id: 'aws',
    region_id: p.region_id,
    name: p.name,
    provisioner: 'k8s-neonvm',
    default_endpoint_settings: {
      autoscaling_limit_min_cu: 0.25,
      autoscaling_limit_max_cu: 2,
      suspend_timeout_seconds: 0,
    },
    settings: {
      allowed_ips: { ips: [], protected_branches_only: false },
      enable_logical_replication: false,
    },
    pg_version: p.pg_version,
    proxy_host: `${p.region_id}.${PROXY_HOST}`,
    branch_logical_size_limit: 512,
    branch_logical_size_limit_bytes: 536870912,
    store_passwords: p.store_passwords === 1,
    cpu_used_sec: 0,
    creation_source: 'console',
    history_retention_seconds: p.history_retention_seconds,
    created_at: time(p.created_at),
    updated_at: time(p.updated_at),
    owner_id: account.id,
    ...(p.org_id ? { org_id: p.org_id } : {}),
  };
}

/** Neon's Organization: its handle is the name made URL-safe, then the id. */
export function organization(o: Organization) {
  const slug = o.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return {
    id: o.id,
    name: o.name,
    handle: slug ? `${slug}-${o.id}` : o.id,
    plan: 'free_v3',
    managed_by: 'console',
    created_at: time(o.createdAt),
    updated_at: time(o.createdAt),
    allow_hipaa_projects: false,
    require_mfa: false,
  };
}

function consumptionPeriod(now: number) {
  const d = new Date(now);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { start: time(start), end: time(end) };
}

export function projectListItem(p: ProjectRow, account: Account) {
  return { ...projectCommon(p, account), active_time: 0 };
}

export function project(p: ProjectRow, account: Account, now: number) {
  const period = consumptionPeriod(now);
  return {
    ...projectCommon(p, account),
    ...usage,
    data_storage_bytes_hour: 0,
    consumption_period_start: period.start,
    consumption_period_end: period.end,
    owner: {
      email: account.email,
      name: account.login,
      branches_limit: account.branchesLimit,
      subscription_type: 'free_v3',
    },
  };
}

export function branch(b: BranchRow) {
  return {
    id: b.id,
    project_id: b.project_id,
    ...(b.parent_id ? { parent_id: b.parent_id } : {}),
    ...(b.parent_lsn !== null ? { parent_lsn: formatLsn(b.parent_lsn) } : {}),
    ...(b.parent_timestamp !== null ? { parent_timestamp: time(b.parent_timestamp) } : {}),
    name: b.name,
    current_state: 'ready',
    state_changed_at: time(b.created_at),
    logical_size: 30_785_536,
    creation_source: 'console',
    primary: b.is_default === 1,
    default: b.is_default === 1,
    protected: b.protected === 1,
    ...usage,
    created_at: time(b.created_at),
    updated_at: time(b.updated_at),
    init_source: 'parent-data',
  };
}

/** An endpoint's real compute, when NEON_LOCAL_COMPUTES is on. */
export interface EndpointCompute {
  host: string;
  state: 'active' | 'idle';
  suspendTimeoutSeconds: number;
}

export function endpoint(e: EndpointRow, p: ProjectRow, compute?: EndpointCompute) {
  return {
    host: compute?.host ?? `${e.id}.${p.region_id}.${PROXY_HOST}`,
    id: e.id,
    project_id: e.project_id,
    branch_id: e.branch_id,
    autoscaling_limit_min_cu: 0.25,
    autoscaling_limit_max_cu: 2,
    region_id: p.region_id,
    type: e.type,
    current_state: compute?.state ?? 'idle',
    settings: {},
    pooler_enabled: false,
    pooler_mode: 'transaction',
    disabled: false,
    passwordless_access: true,
    creation_source: 'console',
    created_at: time(e.created_at),
    updated_at: time(e.updated_at),
    proxy_host: `${p.region_id}.${PROXY_HOST}`,
    suspend_timeout_seconds: e.suspend_timeout_seconds,
    provisioner: 'k8s-neonvm',
  };
}

/** A role; the password only where Neon returns one (create, reset). */
export function role(r: RoleRow, withPassword = false) {
  return {
    branch_id: r.branch_id,
    name: r.name,
    ...(withPassword && r.password !== null ? { password: r.password } : {}),
    protected: r.protected === 1,
    // The spec's values are password, oauth and no_login; a local role is one of the first and last.
    authentication_method: r.no_login === 1 ? 'no_login' : 'password',
    created_at: time(r.created_at),
    updated_at: time(r.updated_at),
  };
}

export function database(d: DatabaseRow) {
  return {
    id: d.id,
    branch_id: d.branch_id,
    name: d.name,
    owner_name: d.owner_name,
    created_at: time(d.created_at),
    updated_at: time(d.updated_at),
  };
}

export function operation(o: OperationRow, now: number) {
  const status = operationStatus(o, now);
  const done = status === 'finished' || status === 'failed';
  return {
    id: o.id,
    project_id: o.project_id,
    ...(o.branch_id ? { branch_id: o.branch_id } : {}),
    ...(o.endpoint_id ? { endpoint_id: o.endpoint_id } : {}),
    action: o.action,
    status,
    ...(status === 'failed' && o.error ? { error: o.error } : {}),
    failures_count: status === 'failed' ? 1 : 0,
    created_at: time(o.created_at),
    updated_at: time(operationUpdatedAt(o, now)),
    total_duration_ms: done ? o.finish_at - o.created_at : Math.max(0, now - o.created_at),
  };
}

/** The operations a request started or lists, each with its status as of `now`. */
export const operations = (ops: readonly OperationRow[], now: number) =>
  ops.map((o) => operation(o, now));

/**
 * Neon's pooler host for an endpoint's host: `ep-x-pooler.…`. A local compute's host
 * (`127.0.0.1:port`) has no pooler in front: it stays the same Postgres.
 */
export const poolerHost = (host: string) => host.replace(/^(ep-[^.]+)/, '$1-pooler');

/** A connection URI as Neon writes it: each part percent-encoded, TLS and channel binding required. */
export function connectionUri(role: string, password: string, host: string, database: string) {
  const e = encodeURIComponent;
  return `postgresql://${e(role)}:${e(password)}@${host}/${e(database)}?sslmode=require&channel_binding=require`;
}

/** Neon's ConnectionDetails for a database's owner. */
function connectionDetails(owner: RoleRow, host: string, db: DatabaseRow) {
  const password = owner.password ?? '';
  return {
    connection_uri: connectionUri(owner.name, password, host, db.name),
    connection_parameters: {
      database: db.name,
      password,
      role: owner.name,
      host,
      pooler_host: poolerHost(host),
    },
  };
}

/** Connection details for each database whose owner has a password. */
export function connectionUris(roles: readonly RoleRow[], databases: DatabaseRow[], host: string) {
  return databases.flatMap((db) => {
    const owner = roles.find((r) => r.name === db.owner_name);
    return owner?.password ? [connectionDetails(owner, host, db)] : [];
  });
}
