import fs from 'node:fs';
import path from 'node:path';
import { randomInt } from 'node:crypto';
import Database from 'better-sqlite3';
import { migrate } from './migrations.ts';
import { OperationsEngine, type OperationPlan, type OperationRow } from './operations.ts';
import { badRequest, conflict, notFound, unprocessable } from './errors.ts';
import * as ids from './ids.ts';
import { formatLsn } from './lsn.ts';

export interface ProjectRow {
  id: string;
  name: string;
  region_id: string;
  pg_version: number;
  store_passwords: number;
  history_retention_seconds: number;
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
  created_at: number;
  updated_at: number;
}

export interface RoleRow {
  seq: number;
  branch_id: string;
  name: string;
  password: string | null;
  protected: number;
  created_at: number;
  updated_at: number;
  created_lsn: number;
  deleted_at: number | null;
  deleted_lsn: number | null;
}

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

export interface StoreOptions {
  /** Directory for the SQLite file, or ':memory:'. */
  dataDir: string;
  operationMs: number;
  now?: () => number;
}

/** The point of the parent a child branch starts from. */
export type BranchPoint = { lsn: number } | { timestamp: number } | undefined;

export interface CreateBranchInput {
  name?: string;
  parentId?: string;
  point?: BranchPoint;
  protected?: boolean;
  endpoints: { type: 'read_write' | 'read_only' }[];
}

export interface CreateProjectInput {
  name?: string;
  regionId?: string;
  pgVersion?: number;
  storePasswords?: boolean;
  historyRetentionSeconds?: number;
  branchName?: string;
  roleName: string;
  databaseName?: string;
}

/** What a mutation changed, and the operations it started. */
export interface Mutation<T> {
  value: T;
  operations: OperationRow[];
}

export interface MutationOptions {
  /** Fault injection: the operations this mutation starts end as failed. */
  failOperationsWith?: string;
  /** When the change happens; only the demo seed writes history in the past. */
  at?: number;
}

const PROTECTED_SYSTEM_ROLE = 'web_access';

/**
 * The local API's durable state: SQL, transactions and the rules of the data, no HTTP.
 * Every public method that writes runs in one transaction, so a request's changes are
 * committed whole (WAL, synchronous=FULL) before the route answers, or not at all.
 */
export class Store {
  readonly db: Database.Database;
  readonly operations: OperationsEngine;
  private readonly now: () => number;
  private readonly stmts = new Map<string, Database.Statement>();
  /**
   * Values derived from the data as last read (each branch's live roles, the list's JSON):
   * the role list is the hottest read, and turning rows into objects and JSON costs more
   * than the query. Every write goes through `transaction()`, which forgets them all when it
   * ends, committed or rolled back.
   */
  private readonly memos = new Map<string, unknown>();

  constructor(options: StoreOptions) {
    this.now = options.now ?? Date.now;
    if (options.dataDir === ':memory:') {
      this.db = new Database(':memory:');
    } else {
      fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
      this.db = new Database(path.join(options.dataDir, 'neon-local.sqlite'));
      this.db.pragma('journal_mode = WAL');
    }
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.operations = new OperationsEngine(this.db, options.operationMs, this.now);
  }

  close(): void {
    this.db.close();
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  private all<T>(sql: string, ...params: unknown[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  private get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  private run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.stmt(sql).run(...params);
  }

  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } finally {
      this.memos.clear();
    }
  }

  /** `compute()`, remembered under `key` until the next write. */
  memo<T>(key: string, compute: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const value = compute();
    this.memos.set(key, value);
    return value;
  }

  // ---- meta ----

  getMeta(key: string): string | undefined {
    return this.get<{ value: string }>(`SELECT value FROM meta WHERE key = ?`, key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.run(
      `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      key,
      value,
    );
  }

  isEmpty(): boolean {
    return !this.get(`SELECT 1 FROM projects LIMIT 1`);
  }

  // ---- projects ----

  listProjects(): ProjectRow[] {
    return this.all<ProjectRow>(`SELECT * FROM projects ORDER BY created_at, id`);
  }

  project(projectId: string): ProjectRow {
    const row = this.get<ProjectRow>(`SELECT * FROM projects WHERE id = ?`, projectId);
    if (!row) throw notFound(`project ${projectId} not found`);
    return row;
  }

  createProject(
    input: CreateProjectInput,
    options: MutationOptions = {},
  ): Mutation<{ project: ProjectRow; branch: BranchRow }> {
    return this.transaction(() => {
      const now = options.at ?? this.now();
      const id = ids.projectId();
      const project: ProjectRow = {
        id,
        name: input.name ?? id,
        region_id: input.regionId ?? 'aws-us-east-2',
        pg_version: input.pgVersion ?? 17,
        store_passwords: input.storePasswords === false ? 0 : 1,
        history_retention_seconds: input.historyRetentionSeconds ?? 86400,
        created_at: now,
        updated_at: now,
      };
      this.run(
        `INSERT INTO projects (id, name, region_id, pg_version, store_passwords, history_retention_seconds, created_at, updated_at)
         VALUES (@id, @name, @region_id, @pg_version, @store_passwords, @history_retention_seconds, @created_at, @updated_at)`,
        project,
      );
      const branch = this.insertBranch({
        projectId: id,
        name: input.branchName ?? 'main',
        parent: undefined,
        isDefault: true,
        isProtected: false,
        lsn: 0x1_4d_a0_00 + randomInt(0x1000) * 8,
        at: now,
      });
      const endpoint = this.insertEndpoint(id, branch.id, 'read_write', now);
      this.insertRole(branch, PROTECTED_SYSTEM_ROLE, { protected: true, at: now, advance: false });
      this.insertRole(branch, input.roleName, { at: now, advance: false });
      this.insertDatabase(branch, input.databaseName ?? 'neondb', input.roleName, now, false);
      const operations = this.operations.schedule(
        id,
        [
          { action: 'create_timeline', branchId: branch.id },
          { action: 'start_compute', branchId: branch.id, endpointId: endpoint.id },
        ],
        options,
      );
      return { value: { project, branch: this.branchById(branch.id) }, operations };
    });
  }

  // ---- branches ----

  listBranches(projectId: string): BranchRow[] {
    this.project(projectId);
    return this.all<BranchRow>(
      `SELECT * FROM branches WHERE project_id = ? ORDER BY created_at, id`,
      projectId,
    );
  }

  branch(projectId: string, branchId: string): BranchRow {
    this.project(projectId);
    const row = this.get<BranchRow>(
      `SELECT * FROM branches WHERE id = ? AND project_id = ?`,
      branchId,
      projectId,
    );
    if (!row) throw notFound(`branch ${branchId} not found`);
    return row;
  }

  private branchById(branchId: string): BranchRow {
    return this.get<BranchRow>(`SELECT * FROM branches WHERE id = ?`, branchId)!;
  }

  defaultBranch(projectId: string): BranchRow {
    return this.get<BranchRow>(
      `SELECT * FROM branches WHERE project_id = ? AND is_default = 1`,
      projectId,
    )!;
  }

  private insertBranch(b: {
    projectId: string;
    name: string;
    parent: { id: string; lsn: number; timestamp: number } | undefined;
    isDefault: boolean;
    isProtected: boolean;
    lsn: number;
    at: number;
  }): BranchRow {
    const row: BranchRow = {
      id: ids.branchId(),
      project_id: b.projectId,
      name: b.name,
      parent_id: b.parent?.id ?? null,
      parent_lsn: b.parent?.lsn ?? null,
      parent_timestamp: b.parent?.timestamp ?? null,
      is_default: b.isDefault ? 1 : 0,
      protected: b.isProtected ? 1 : 0,
      init_lsn: b.lsn,
      head_lsn: b.lsn,
      created_at: b.at,
      updated_at: b.at,
    };
    this.run(
      `INSERT INTO branches (id, project_id, name, parent_id, parent_lsn, parent_timestamp, is_default, protected, init_lsn, head_lsn, created_at, updated_at)
       VALUES (@id, @project_id, @name, @parent_id, @parent_lsn, @parent_timestamp, @is_default, @protected, @init_lsn, @head_lsn, @created_at, @updated_at)`,
      row,
    );
    this.run(
      `INSERT INTO branch_lsns (branch_id, lsn, at) VALUES (?, ?, ?)`,
      row.id,
      row.init_lsn,
      b.at,
    );
    return row;
  }

  /** Moves a branch's WAL position forward, as any write to it would, and returns the new LSN. */
  private advance(branch: BranchRow, at: number): number {
    const lsn = this.get<{ head_lsn: number }>(
      `SELECT head_lsn FROM branches WHERE id = ?`,
      branch.id,
    )!.head_lsn;
    const next = lsn + 0x100 + randomInt(0x800) * 8;
    this.run(`UPDATE branches SET head_lsn = ? WHERE id = ?`, next, branch.id);
    this.run(`INSERT INTO branch_lsns (branch_id, lsn, at) VALUES (?, ?, ?)`, branch.id, next, at);
    return next;
  }

  /** Resolves a point on the parent to both its LSN and its time, refusing points outside its history. */
  private resolvePoint(
    parent: BranchRow,
    point: BranchPoint,
    now: number,
  ): { lsn: number; timestamp: number } {
    if (!point) return { lsn: parent.head_lsn, timestamp: now };
    if ('lsn' in point) {
      if (point.lsn < parent.init_lsn || point.lsn > parent.head_lsn) {
        throw badRequest(
          `parent_lsn ${formatLsn(point.lsn)} is outside the history of branch ${parent.id} (${formatLsn(parent.init_lsn)} to ${formatLsn(parent.head_lsn)})`,
        );
      }
      const at = this.get<{ at: number }>(
        `SELECT at FROM branch_lsns WHERE branch_id = ? AND lsn <= ? ORDER BY lsn DESC LIMIT 1`,
        parent.id,
        point.lsn,
      )!.at;
      return { lsn: point.lsn, timestamp: at };
    }
    if (point.timestamp > now) throw badRequest('parent_timestamp is in the future');
    if (point.timestamp < parent.created_at) {
      throw badRequest(
        `parent_timestamp is before branch ${parent.id} was created (${new Date(parent.created_at).toISOString()})`,
      );
    }
    const lsn = this.get<{ lsn: number }>(
      `SELECT lsn FROM branch_lsns WHERE branch_id = ? AND at <= ? ORDER BY lsn DESC LIMIT 1`,
      parent.id,
      point.timestamp,
    )!.lsn;
    return { lsn, timestamp: point.timestamp };
  }

  createBranch(
    projectId: string,
    input: CreateBranchInput,
    options: MutationOptions = {},
  ): Mutation<{
    branch: BranchRow;
    endpoints: EndpointRow[];
    roles: readonly RoleRow[];
    databases: DatabaseRow[];
  }> {
    return this.transaction(() => {
      this.project(projectId);
      this.operations.assertIdle(projectId, options.at);
      const now = options.at ?? this.now();
      const parent = input.parentId
        ? this.branch(projectId, input.parentId)
        : this.defaultBranch(projectId);
      const point = this.resolvePoint(parent, input.point, now);
      const branch = this.insertBranch({
        projectId,
        name: input.name ?? `br-${ids.branchId().slice(3)}`,
        parent: { id: parent.id, lsn: point.lsn, timestamp: point.timestamp },
        isDefault: false,
        isProtected: input.protected ?? false,
        lsn: point.lsn,
        at: now,
      });
      // Copy what existed on the parent at that point, keeping names, passwords and dates.
      this.run(
        `INSERT INTO roles (branch_id, name, password, protected, created_at, updated_at, created_lsn)
         SELECT ?, name, password, protected, created_at, updated_at, ? FROM roles
         WHERE branch_id = ? AND created_lsn <= ? AND (deleted_lsn IS NULL OR deleted_lsn > ?) ORDER BY seq`,
        branch.id,
        point.lsn,
        parent.id,
        point.lsn,
        point.lsn,
      );
      this.run(
        `INSERT INTO databases (branch_id, name, owner_name, created_at, updated_at, created_lsn)
         SELECT ?, name, owner_name, created_at, updated_at, ? FROM databases
         WHERE branch_id = ? AND created_lsn <= ? AND (deleted_lsn IS NULL OR deleted_lsn > ?) ORDER BY id`,
        branch.id,
        point.lsn,
        parent.id,
        point.lsn,
        point.lsn,
      );
      const endpoints = input.endpoints.map((e) =>
        this.insertEndpoint(projectId, branch.id, e.type, now),
      );
      const plans: OperationPlan[] = [{ action: 'create_branch', branchId: branch.id }];
      for (const e of endpoints)
        plans.push({ action: 'start_compute', branchId: branch.id, endpointId: e.id });
      const operations = this.operations.schedule(projectId, plans, options);
      return {
        value: {
          branch,
          endpoints,
          roles: this.listRoles(projectId, branch.id),
          databases: this.listDatabases(projectId, branch.id),
        },
        operations,
      };
    });
  }

  /** Deletes a branch; `value` is undefined when it had already been deleted (Neon answers 204). */
  deleteBranch(
    projectId: string,
    branchId: string,
    options: MutationOptions = {},
  ): Mutation<BranchRow | undefined> {
    return this.transaction(() => {
      this.project(projectId);
      const branch = this.get<BranchRow>(
        `SELECT * FROM branches WHERE id = ? AND project_id = ?`,
        branchId,
        projectId,
      );
      if (!branch) {
        // The row is gone, but its delete_timeline operation remains: "already deleted", not "never was".
        const deletedOp = this.get(
          `SELECT 1 FROM operations WHERE project_id = ? AND branch_id = ? AND action = 'delete_timeline' LIMIT 1`,
          projectId,
          branchId,
        );
        if (deletedOp) return { value: undefined, operations: [] };
        throw notFound(`branch ${branchId} not found`);
      }
      if (branch.is_default)
        throw unprocessable(
          `branch ${branchId} is the default branch of the project and cannot be deleted`,
        );
      const children = this.all<{ id: string }>(
        `SELECT id FROM branches WHERE parent_id = ?`,
        branchId,
      );
      if (children.length) {
        throw unprocessable(
          `branch ${branchId} has child branches (${children.map((c) => c.id).join(', ')}) and cannot be deleted`,
        );
      }
      this.operations.assertIdle(projectId, options.at);
      const endpoints = this.listEndpoints(projectId, branchId);
      const plans: OperationPlan[] = endpoints.map((e) => ({
        action: 'suspend_compute',
        branchId,
        endpointId: e.id,
      }));
      plans.push({ action: 'delete_timeline', branchId });
      this.run(`DELETE FROM branches WHERE id = ?`, branchId);
      const operations = this.operations.schedule(projectId, plans, options);
      return { value: branch, operations };
    });
  }

  // ---- endpoints ----

  private insertEndpoint(
    projectId: string,
    branchId: string,
    type: EndpointRow['type'],
    at: number,
  ): EndpointRow {
    if (
      type === 'read_write' &&
      this.get(`SELECT 1 FROM endpoints WHERE branch_id = ? AND type = 'read_write'`, branchId)
    ) {
      throw conflict(`branch ${branchId} already has a read_write endpoint`);
    }
    const row: EndpointRow = {
      id: ids.endpointId(),
      project_id: projectId,
      branch_id: branchId,
      type,
      created_at: at,
      updated_at: at,
    };
    this.run(
      `INSERT INTO endpoints (id, project_id, branch_id, type, created_at, updated_at) VALUES (@id, @project_id, @branch_id, @type, @created_at, @updated_at)`,
      row,
    );
    return row;
  }

  listEndpoints(projectId: string, branchId?: string): EndpointRow[] {
    if (branchId) {
      this.branch(projectId, branchId);
      return this.all<EndpointRow>(
        `SELECT * FROM endpoints WHERE branch_id = ? ORDER BY created_at, id`,
        branchId,
      );
    }
    this.project(projectId);
    return this.all<EndpointRow>(
      `SELECT * FROM endpoints WHERE project_id = ? ORDER BY created_at, id`,
      projectId,
    );
  }

  private readWriteEndpoint(branchId: string): EndpointRow | undefined {
    return this.get<EndpointRow>(
      `SELECT * FROM endpoints WHERE branch_id = ? AND type = 'read_write'`,
      branchId,
    );
  }

  /** Role and database changes reconfigure the branch's running compute, as on Neon. */
  private applyConfig(branch: BranchRow, options: MutationOptions): OperationRow[] {
    const endpoint = this.readWriteEndpoint(branch.id);
    if (!endpoint) return [];
    return this.operations.schedule(
      branch.project_id,
      [{ action: 'apply_config', branchId: branch.id, endpointId: endpoint.id }],
      options,
    );
  }

  // ---- roles ----

  listRoles(projectId: string, branchId: string): readonly RoleRow[] {
    this.branch(projectId, branchId);
    return this.memo(`roles ${branchId}`, () =>
      this.all<RoleRow>(
        `SELECT * FROM roles WHERE branch_id = ? AND deleted_lsn IS NULL ORDER BY seq`,
        branchId,
      ),
    );
  }

  private liveRole(branchId: string, name: string): RoleRow | undefined {
    return this.get<RoleRow>(
      `SELECT * FROM roles WHERE branch_id = ? AND name = ? AND deleted_lsn IS NULL`,
      branchId,
      name,
    );
  }

  role(projectId: string, branchId: string, name: string): RoleRow {
    this.branch(projectId, branchId);
    const row = this.liveRole(branchId, name);
    if (!row) throw notFound(`role ${JSON.stringify(name)} not found on branch ${branchId}`);
    return row;
  }

  private insertRole(
    branch: BranchRow,
    name: string,
    o: { protected?: boolean; at: number; advance?: boolean },
  ): RoleRow {
    if (this.liveRole(branch.id, name))
      throw conflict(`role ${JSON.stringify(name)} already exists on branch ${branch.id}`);
    const lsn =
      o.advance === false ? this.branchById(branch.id).head_lsn : this.advance(branch, o.at);
    const info = this.run(
      `INSERT INTO roles (branch_id, name, password, protected, created_at, updated_at, created_lsn) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      branch.id,
      name,
      o.protected ? null : ids.password(),
      o.protected ? 1 : 0,
      o.at,
      o.at,
      lsn,
    );
    return this.get<RoleRow>(`SELECT * FROM roles WHERE seq = ?`, info.lastInsertRowid)!;
  }

  createRole(
    projectId: string,
    branchId: string,
    name: string,
    options: MutationOptions = {},
  ): Mutation<RoleRow> {
    return this.transaction(() => {
      const branch = this.branch(projectId, branchId);
      if (this.liveRole(branch.id, name))
        throw conflict(`role ${JSON.stringify(name)} already exists on branch ${branch.id}`);
      this.operations.assertIdle(projectId, options.at);
      const role = this.insertRole(branch, name, { at: options.at ?? this.now() });
      return { value: role, operations: this.applyConfig(branch, options) };
    });
  }

  /** Deletes a role; `value` is undefined when it had already been deleted (Neon answers 204). */
  deleteRole(
    projectId: string,
    branchId: string,
    name: string,
    options: MutationOptions = {},
  ): Mutation<RoleRow | undefined> {
    return this.transaction(() => {
      const branch = this.branch(projectId, branchId);
      const role = this.liveRole(branch.id, name);
      if (!role) {
        if (
          this.get(`SELECT 1 FROM roles WHERE branch_id = ? AND name = ? LIMIT 1`, branch.id, name)
        ) {
          return { value: undefined, operations: [] };
        }
        throw notFound(`role ${JSON.stringify(name)} not found on branch ${branchId}`);
      }
      if (role.protected)
        throw unprocessable(`role ${JSON.stringify(name)} is protected and cannot be deleted`);
      const owned = this.all<{ name: string }>(
        `SELECT name FROM databases WHERE branch_id = ? AND owner_name = ? AND deleted_lsn IS NULL ORDER BY name`,
        branch.id,
        name,
      );
      if (owned.length) {
        const list = owned.map((d) => JSON.stringify(d.name)).join(', ');
        throw unprocessable(
          `role ${JSON.stringify(name)} owns ${owned.length === 1 ? 'database' : 'databases'} ${list}; delete ${owned.length === 1 ? 'it' : 'them'} or change the owner first`,
        );
      }
      this.operations.assertIdle(projectId, options.at);
      const now = options.at ?? this.now();
      const lsn = this.advance(branch, now);
      this.run(
        `UPDATE roles SET deleted_at = ?, deleted_lsn = ? WHERE seq = ?`,
        now,
        lsn,
        role.seq,
      );
      return { value: role, operations: this.applyConfig(branch, options) };
    });
  }

  resetPassword(
    projectId: string,
    branchId: string,
    name: string,
    options: MutationOptions = {},
  ): Mutation<RoleRow> {
    return this.transaction(() => {
      const branch = this.branch(projectId, branchId);
      const role = this.role(projectId, branchId, name);
      if (role.protected)
        throw unprocessable(
          `role ${JSON.stringify(name)} is protected; its password cannot be reset`,
        );
      this.operations.assertIdle(projectId, options.at);
      const now = options.at ?? this.now();
      this.advance(branch, now);
      this.run(
        `UPDATE roles SET password = ?, updated_at = ? WHERE seq = ?`,
        ids.password(),
        now,
        role.seq,
      );
      return {
        value: this.get<RoleRow>(`SELECT * FROM roles WHERE seq = ?`, role.seq)!,
        operations: this.applyConfig(branch, options),
      };
    });
  }

  // ---- databases ----

  listDatabases(projectId: string, branchId: string): DatabaseRow[] {
    this.branch(projectId, branchId);
    return this.all<DatabaseRow>(
      `SELECT * FROM databases WHERE branch_id = ? AND deleted_lsn IS NULL ORDER BY id`,
      branchId,
    );
  }

  database(projectId: string, branchId: string, name: string): DatabaseRow {
    this.branch(projectId, branchId);
    const row = this.get<DatabaseRow>(
      `SELECT * FROM databases WHERE branch_id = ? AND name = ? AND deleted_lsn IS NULL`,
      branchId,
      name,
    );
    if (!row) throw notFound(`database ${JSON.stringify(name)} not found on branch ${branchId}`);
    return row;
  }

  private insertDatabase(
    branch: BranchRow,
    name: string,
    owner: string,
    at: number,
    advance = true,
  ): DatabaseRow {
    if (
      this.get(
        `SELECT 1 FROM databases WHERE branch_id = ? AND name = ? AND deleted_lsn IS NULL`,
        branch.id,
        name,
      )
    ) {
      throw conflict(`database ${JSON.stringify(name)} already exists on branch ${branch.id}`);
    }
    if (!this.liveRole(branch.id, owner))
      throw badRequest(`owner role ${JSON.stringify(owner)} does not exist on branch ${branch.id}`);
    const lsn = advance ? this.advance(branch, at) : this.branchById(branch.id).head_lsn;
    const info = this.run(
      `INSERT INTO databases (branch_id, name, owner_name, created_at, updated_at, created_lsn) VALUES (?, ?, ?, ?, ?, ?)`,
      branch.id,
      name,
      owner,
      at,
      at,
      lsn,
    );
    return this.get<DatabaseRow>(`SELECT * FROM databases WHERE id = ?`, info.lastInsertRowid)!;
  }

  createDatabase(
    projectId: string,
    branchId: string,
    input: { name: string; owner: string },
    options: MutationOptions = {},
  ): Mutation<DatabaseRow> {
    return this.transaction(() => {
      const branch = this.branch(projectId, branchId);
      this.operations.assertIdle(projectId, options.at);
      const db = this.insertDatabase(branch, input.name, input.owner, options.at ?? this.now());
      return { value: db, operations: this.applyConfig(branch, options) };
    });
  }

  deleteDatabase(
    projectId: string,
    branchId: string,
    name: string,
    options: MutationOptions = {},
  ): Mutation<DatabaseRow | undefined> {
    return this.transaction(() => {
      const branch = this.branch(projectId, branchId);
      const db = this.get<DatabaseRow>(
        `SELECT * FROM databases WHERE branch_id = ? AND name = ? AND deleted_lsn IS NULL`,
        branch.id,
        name,
      );
      if (!db) {
        if (
          this.get(
            `SELECT 1 FROM databases WHERE branch_id = ? AND name = ? LIMIT 1`,
            branch.id,
            name,
          )
        ) {
          return { value: undefined, operations: [] };
        }
        throw notFound(`database ${JSON.stringify(name)} not found on branch ${branchId}`);
      }
      this.operations.assertIdle(projectId, options.at);
      const now = options.at ?? this.now();
      const lsn = this.advance(branch, now);
      this.run(
        `UPDATE databases SET deleted_at = ?, deleted_lsn = ? WHERE id = ?`,
        now,
        lsn,
        db.id,
      );
      return { value: db, operations: this.applyConfig(branch, options) };
    });
  }

  // ---- operations ----

  listOperations(projectId: string, limit: number, before?: number): OperationRow[] {
    this.project(projectId);
    return before === undefined
      ? this.all<OperationRow>(
          `SELECT * FROM operations WHERE project_id = ? ORDER BY seq DESC LIMIT ?`,
          projectId,
          limit,
        )
      : this.all<OperationRow>(
          `SELECT * FROM operations WHERE project_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
          projectId,
          before,
          limit,
        );
  }

  operation(projectId: string, operationId: string): OperationRow {
    this.project(projectId);
    const row = this.get<OperationRow>(
      `SELECT * FROM operations WHERE id = ? AND project_id = ?`,
      operationId,
      projectId,
    );
    if (!row) throw notFound(`operation ${operationId} not found`);
    return row;
  }
}
