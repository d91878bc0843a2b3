// The rows of the local store's tables, as better-sqlite3 returns them (booleans are 0/1, times ms).

export interface ProjectRow {
  id: string;
  name: string;
  region_id: string;
  pg_version: number;
  store_passwords: number;
  history_retention_seconds: number;
  /** The organization it belongs to (NULL only between the v3 migration and Store.adoptProjects). */
  org_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface BranchRow {
  id: string;
  project_id: string;
  name: string;
  parent_id: string | null;
  parent_lsn: number | null;
  parent_timestamp: number | null;
  is_default: number;
  protected: number;
  init_lsn: number;
  head_lsn: number;
  created_at: number;
  updated_at: number;
}

export interface EndpointRow {
  id: string;
  project_id: string;
  branch_id: string;
  type: 'read_write' | 'read_only';
  /** Its compute's port on 127.0.0.1, allocated at creation and kept for life. */
  port: number | null;
  /** Neon's setting: 0 = the default (NEON_LOCAL_SUSPEND_TIMEOUT_SECONDS), -1 = never. */
  suspend_timeout_seconds: number;
  created_at: number;
  updated_at: number;
}

/** Deleted roles stay as tombstones (`deleted_lsn`), so a branch made from a past point still has them. */
export interface RoleRow {
  seq: number;
  branch_id: string;
  name: string;
  /** Null for a role that never gets one: `web_access`, and every `no_login` role. */
  password: string | null;
  protected: number;
  /** 1: made with Neon's `no_login` (it cannot log in, and has no password to reset). */
  no_login: number;
  created_at: number;
  updated_at: number;
  created_lsn: number;
  deleted_at: number | null;
  deleted_lsn: number | null;
}

/** Kept as tombstones like roles. */
export interface DatabaseRow {
  id: number;
  branch_id: string;
  name: string;
  owner_name: string;
  created_at: number;
  updated_at: number;
  created_lsn: number;
  deleted_at: number | null;
  deleted_lsn: number | null;
}

export type OperationAction =
  | 'apply_config'
  | 'create_branch'
  | 'create_timeline'
  | 'start_compute'
  | 'suspend_compute'
  | 'delete_timeline';

/**
 * Without computes an operation's whole timeline is fixed when it is created; with them
 * `status` follows the real work (see the operations engine).
 */
export interface OperationRow {
  seq: number;
  id: string;
  project_id: string;
  branch_id: string | null;
  endpoint_id: string | null;
  action: OperationAction;
  created_at: number;
  start_at: number;
  finish_at: number;
  error: string | null;
  /** Set when the compute executor runs it; NULL: the timeline above decides. */
  status: 'scheduling' | 'running' | 'finished' | 'failed' | null;
  updated_at: number | null;
  /** JSON OperationSpec: what the compute executor needs beyond the desired state. */
  spec: string | null;
}
