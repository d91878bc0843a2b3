import type Database from 'better-sqlite3';

/**
 * Versioned schema. Each entry upgrades the store by one version inside a transaction;
 * never edit a released entry: append a new one, so older data directories still open.
 */
const MIGRATIONS: readonly string[] = [
  // v1
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region_id TEXT NOT NULL,
    pg_version INTEGER NOT NULL,
    store_passwords INTEGER NOT NULL,
    history_retention_seconds INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE branches (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    parent_id TEXT,
    parent_lsn INTEGER,
    parent_timestamp INTEGER,
    is_default INTEGER NOT NULL,
    protected INTEGER NOT NULL,
    init_lsn INTEGER NOT NULL,
    head_lsn INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX branches_by_project ON branches(project_id, created_at);
  -- Every LSN a branch reached and when: maps a point in time to an LSN and back.
  CREATE TABLE branch_lsns (
    branch_id TEXT NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    lsn INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (branch_id, lsn)
  ) WITHOUT ROWID;
  CREATE TABLE endpoints (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    branch_id TEXT NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX endpoints_by_branch ON endpoints(branch_id);
  -- Roles and databases keep tombstones (deleted_*), so a branch made from a point in time
  -- gets exactly what existed then, and a second delete can tell "already gone" from "never was".
  CREATE TABLE roles (
    seq INTEGER PRIMARY KEY,
    branch_id TEXT NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    password TEXT,
    protected INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    created_lsn INTEGER NOT NULL,
    deleted_at INTEGER,
    deleted_lsn INTEGER
  );
  CREATE UNIQUE INDEX roles_live ON roles(branch_id, name) WHERE deleted_lsn IS NULL;
  CREATE INDEX roles_by_branch ON roles(branch_id, name);
  CREATE TABLE databases (
    id INTEGER PRIMARY KEY,
    branch_id TEXT NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    owner_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    created_lsn INTEGER NOT NULL,
    deleted_at INTEGER,
    deleted_lsn INTEGER
  );
  CREATE UNIQUE INDEX databases_live ON databases(branch_id, name) WHERE deleted_lsn IS NULL;
  CREATE INDEX databases_by_branch ON databases(branch_id, name);
  CREATE TABLE operations (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    branch_id TEXT,
    endpoint_id TEXT,
    action TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    start_at INTEGER NOT NULL,
    finish_at INTEGER NOT NULL,
    error TEXT
  );
  CREATE INDEX operations_by_project ON operations(project_id, finish_at);
  `,
  // v2: real computes. An operation run by the compute executor keeps its own status (NULL:
  // the v1 timeline decides it) and what it needs beyond the desired state (OperationSpec); each endpoint keeps its port for life.
  `
  ALTER TABLE operations ADD COLUMN status TEXT;
  ALTER TABLE operations ADD COLUMN updated_at INTEGER;
  ALTER TABLE operations ADD COLUMN spec TEXT;
  CREATE INDEX operations_unfinished ON operations(seq) WHERE status IN ('scheduling', 'running');
  ALTER TABLE endpoints ADD COLUMN port INTEGER;
  ALTER TABLE endpoints ADD COLUMN suspend_timeout_seconds INTEGER NOT NULL DEFAULT 0;
  `,
  // v3: passwordless roles (Neon's no_login): no password is ever issued, Postgres has them NOLOGIN.
  `
  ALTER TABLE roles ADD COLUMN no_login INTEGER NOT NULL DEFAULT 0;
  `,
  // v4: organizations. Each project belongs to one; projects stored before this version get
  // the account's organization when the store opens (Store.adoptProjects).
  `
  ALTER TABLE projects ADD COLUMN org_id TEXT;
  CREATE INDEX projects_by_org ON projects(org_id, created_at, id);
  `,
  // v5: a project's operations newest first (GET …/operations, which the console polls) read
  // 100 index entries instead of sorting every operation the project ever had.
  `
  CREATE INDEX operations_newest_first ON operations(project_id, seq);
  `,
];

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `The data directory was written by a newer version (schema ${current}; this one knows ${MIGRATIONS.length}).`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
