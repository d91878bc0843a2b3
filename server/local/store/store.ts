import { randomInt } from 'node:crypto';
import type Database from 'better-sqlite3';
import { OperationsEngine, type OperationPlan } from '../operations-engine.ts';
import { VersionedCache } from '../versioned-cache.ts';
import * as ids from '../ids.ts';
import { Sqlite } from './sqlite.ts';
import { formatLsn } from '../lsn.ts';
import type { Fsync } from './group-commit.ts';
import { BranchHistory, type BranchPoint } from './branch-history.ts';
import { conflict, invalid, notFound, unprocessable } from './store-error.ts';
import { limitRefusal, NEON_LIMITS, type Limits } from './limits.ts';
import type {
  BranchRow,
  DatabaseRow,
  EndpointRow,
  OperationRow,
  ProjectRow,
  RoleRow,
} from './rows.ts';

export type { BranchPoint };

export interface StoreOptions {
  /** Directory for the SQLite file, or ':memory:'. */
  dataDir: string;
  operationMs: number;
  now?: () => number;
  /** Real computes run the operations (see the operations engine's real mode). */
  computes?: boolean;
  /** How commits are synced (group commit); tests watch it. */
  fsync?: Fsync;
  /** Neon's limits (NEON_LIMITS) unless given; 0 lifts one. */
  limits?: Partial<Limits>;
}

/** The desired state of one branch's compute, as the compute engine takes it. */
export interface BranchDesiredState {
  roles: { name: string; password: string | null }[];
  databases: { name: string; owner: string }[];
}

/** Endpoint ports are drawn from here (the compute engine moves one that is taken). */
const ENDPOINT_PORTS = { from: 20_000, to: 40_000 };

export interface CreateBranchInput {
  name?: string;
  parentId?: string;
  point?: BranchPoint;
  /**
   * With computes: the parent's real WAL position the branch starts at, shown as parent_lsn
   * and given to the compute (`point` is then the moment it stands for, for the store's own
   * history); null until the compute reports it (a parent_timestamp branch).
   */
  walLsn?: number | null;
  protected?: boolean;
  endpoints: { type: 'read_write' | 'read_only' }[];
}

export interface CreateProjectInput {
  orgId: string;
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
  /** When the change happens; only the demo seed writes history in the past. */
  at?: number;
}

const PROTECTED_SYSTEM_ROLE = 'web_access';

/**
 * The local API's data and its rules: projects, branches, roles, databases and the
 * operations they start. Each public method that writes is atomic (one transaction, or a
 * single statement, which SQLite commits alone), so a request's changes are committed whole
 * before the route answers, or not at all. Refusals are `StoreError`s in the data's terms;
 * their HTTP statuses are `server/local/store-error-status.ts`'s business.
 */
export class Store {
  readonly operations: OperationsEngine;
  private readonly sql: Sqlite;
  private readonly history: BranchHistory;
  private readonly now: () => number;
  private limits: Limits;
  /** Each branch's live roles, the hottest read. */
  private readonly liveRoles: VersionedCache<readonly RoleRow[]>;

  constructor(options: StoreOptions) {
    this.now = options.now ?? Date.now;
    this.limits = { ...NEON_LIMITS, ...options.limits };
    this.sql = new Sqlite(options.dataDir, options.fsync);
    this.history = new BranchHistory(this.sql);
    this.operations = new OperationsEngine(
      this.sql.db,
      options.operationMs,
      this.now,
      options.computes ?? false,
    );
    this.liveRoles = new VersionedCache(() => this.sql.version);
  }

  /** The SQLite handle, for tests that compare everything stored. */
  get db(): Database.Database {
    return this.sql.db;
  }

  /** Moves whenever a write ends: what is derived from the data may be kept until then. */
  get version(): number {
    return this.sql.version;
  }

  /**
   * Resolves once every change committed so far is on disk (undefined when all already
   * are): a write is acknowledged only after it, so nothing acknowledged is lost.
   */
  whenDurable(): Promise<void> | undefined {
    return this.sql.whenDurable();
  }

  close(): void {
    this.sql.close();
  }

  private all<T>(sql: string, ...params: unknown[]): T[] {
    return this.sql.all<T>(sql, ...params);
  }

  private get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.sql.get<T>(sql, ...params);
  }

  private run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.sql.run(sql, ...params);
  }

  /**
   * Refuses one more of `kind` when `fromWhere` (rows of one branch or project) already holds as
   * many as its limit. It reads no further than the limit: a 10,000-role branch with the
   * limit lifted costs nothing, one at Neon's 500 reads 500 index entries.
   */
  private assertRoom(kind: keyof Limits, fromWhere: string, id: string): void {
    const limit = this.limits[kind];
    if (limit === 0 || !this.get(`SELECT 1 ${fromWhere} LIMIT 1 OFFSET ?`, id, limit - 1)) return;
    const count = this.get<{ n: number }>(`SELECT COUNT(*) AS n ${fromWhere}`, id)!.n;
    throw limitRefusal(kind, limit, count);
  }

  /** Runs `fn` with every limit lifted (the demo seed, whose layout is fixed). */
  withoutLimits<T>(fn: () => T): T {
    const limits = this.limits;
    this.limits = { rolesPerBranch: 0, databasesPerBranch: 0, branchesPerProject: 0 };
    try {
      return fn();
    } finally {
      this.limits = limits;
    }
  }

  /** Several writes as one: the bench seed writes thousands of roles in one commit. */
  transaction<T>(fn: () => T): T {
    return this.sql.transaction(fn);
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

  /** Every project, or an organization's, in creation order. */
  listProjects(orgId?: string): ProjectRow[] {
    return orgId === undefined
      ? this.all<ProjectRow>(`SELECT * FROM projects ORDER BY created_at, id`)
      : this.all<ProjectRow>(
          `SELECT * FROM projects WHERE org_id = ? ORDER BY created_at, id`,
          orgId,
        );
  }

  /**
   * The local account has one organization: every project is in it. Projects stored before
   * organizations existed (or under another NEON_LOCAL_ORG_ID) move into it when the server
   * starts, so none is hidden by a changed setting.
   */
  adoptProjects(orgId: string): number {
    return this.run(`UPDATE projects SET org_id = ? WHERE org_id IS NOT ?`, orgId, orgId).changes;
  }

  project(projectId: string): ProjectRow {
    const row = this.get<ProjectRow>(`SELECT * FROM projects WHERE id = ?`, projectId);
    if (!row) throw notFound('project not found');
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
        org_id: input.orgId,
        created_at: now,
        updated_at: now,
      };
      this.run(
        `INSERT INTO projects (id, name, region_id, pg_version, store_passwords, history_retention_seconds, org_id, created_at, updated_at)
         VALUES (@id, @name, @region_id, @pg_version, @store_passwords, @history_retention_seconds, @org_id, @created_at, @updated_at)`,
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
        options.at,
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
    const row = this.get<BranchRow>(
      `SELECT * FROM branches WHERE id = ? AND project_id = ?`,
      branchId,
      projectId,
    );
    if (row) return row;
    this.project(projectId); // a missing project is named first
    throw notFound('branch not found');
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
    parent: { id: string; lsn: number | null; timestamp: number } | undefined;
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
    this.history.record(row.id, row.init_lsn, b.at);
    return row;
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
      this.assertRoom('branchesPerProject', `FROM branches WHERE project_id = ?`, projectId);
      const point = this.history.resolvePoint(parent, input.point, now);
      const branch = this.insertBranch({
        projectId,
        name: input.name ?? `br-${ids.branchId().slice(3)}`,
        parent: {
          id: parent.id,
          lsn: input.walLsn === undefined ? point.lsn : input.walLsn,
          timestamp: point.timestamp,
        },
        isDefault: false,
        isProtected: input.protected ?? false,
        lsn: point.lsn,
        at: now,
      });
      this.history.copyAt(parent.id, branch.id, point.lsn);
      const endpoints = input.endpoints.map((e) =>
        this.insertEndpoint(projectId, branch.id, e.type, now),
      );
      const plans: OperationPlan[] = [
        {
          action: 'create_branch',
          branchId: branch.id,
          spec: pointSpec(typeof input.walLsn === 'number' ? { lsn: input.walLsn } : input.point),
        },
      ];
      for (const e of endpoints)
        plans.push({ action: 'start_compute', branchId: branch.id, endpointId: e.id });
      const operations = this.operations.schedule(projectId, plans, options.at);
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
        throw notFound('branch not found');
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
      const operations = this.operations.schedule(projectId, plans, options.at);
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
      port: this.unusedPort(),
      suspend_timeout_seconds: 0,
      created_at: at,
      updated_at: at,
    };
    this.run(
      `INSERT INTO endpoints (id, project_id, branch_id, type, port, suspend_timeout_seconds, created_at, updated_at)
       VALUES (@id, @project_id, @branch_id, @type, @port, @suspend_timeout_seconds, @created_at, @updated_at)`,
      row,
    );
    return row;
  }

  /** A port no other endpoint holds (whether the OS has it free is checked when it listens). */
  private unusedPort(): number {
    for (;;) {
      const port = randomInt(ENDPOINT_PORTS.from, ENDPOINT_PORTS.to);
      if (!this.get(`SELECT 1 FROM endpoints WHERE port = ?`, port)) return port;
    }
  }

  /** A branch made at a parent_timestamp learns its real parent_lsn once its compute is made. */
  setParentLsn(branchId: string, lsn: number): void {
    this.run(
      `UPDATE branches SET parent_lsn = ? WHERE id = ? AND parent_lsn IS NULL`,
      lsn,
      branchId,
    );
  }

  /** The compute engine found the port taken by another program and moved the endpoint. */
  moveEndpoint(endpointId: string, port: number): void {
    this.run(`UPDATE endpoints SET port = ? WHERE id = ?`, port, endpointId);
  }

  endpoint(projectId: string, endpointId: string): EndpointRow {
    this.project(projectId);
    const row = this.get<EndpointRow>(
      `SELECT * FROM endpoints WHERE id = ? AND project_id = ?`,
      endpointId,
      projectId,
    );
    if (!row) throw notFound('endpoint not found');
    return row;
  }

  /** Every endpoint of every project (the compute engine listens on their ports). */
  allEndpoints(): EndpointRow[] {
    return this.all<EndpointRow>(`SELECT * FROM endpoints ORDER BY created_at, id`);
  }

  /** Every branch, parents before children (the compute engine makes them in this order). */
  allBranches(): BranchRow[] {
    return this.all<BranchRow>(`SELECT * FROM branches ORDER BY created_at, id`);
  }

  /** A branch by id alone, or undefined once deleted (the compute executor's view). */
  findBranch(branchId: string): BranchRow | undefined {
    return this.branchById(branchId);
  }

  /** Starts, suspends or restarts an endpoint's compute: Neon's operations for each. */
  endpointAction(
    projectId: string,
    endpointId: string,
    action: 'start' | 'suspend' | 'restart',
  ): Mutation<EndpointRow> {
    return this.transaction(() => {
      const endpoint = this.endpoint(projectId, endpointId);
      this.operations.assertIdle(projectId);
      const step = (a: 'start_compute' | 'suspend_compute'): OperationPlan => ({
        action: a,
        branchId: endpoint.branch_id,
        endpointId,
      });
      const plans =
        action === 'start'
          ? [step('start_compute')]
          : action === 'suspend'
            ? [step('suspend_compute')]
            : [step('suspend_compute'), step('start_compute')];
      return { value: endpoint, operations: this.operations.schedule(projectId, plans) };
    });
  }

  /** What the branch's Postgres must hold: its live roles (no password: NOLOGIN) and databases. */
  desiredState(branchId: string): BranchDesiredState | undefined {
    if (!this.branchById(branchId)) return undefined;
    return {
      roles: this.all<{ name: string; password: string | null }>(
        `SELECT name, password FROM roles WHERE branch_id = ? AND deleted_lsn IS NULL ORDER BY seq`,
        branchId,
      ),
      databases: this.all<{ name: string; owner: string }>(
        `SELECT name, owner_name AS owner FROM databases WHERE branch_id = ? AND deleted_lsn IS NULL ORDER BY id`,
        branchId,
      ),
    };
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

  private readWriteEndpointId(branchId: string): string | undefined {
    return this.get<{ id: string }>(
      `SELECT id FROM endpoints WHERE branch_id = ? AND type = 'read_write'`,
      branchId,
    )?.id;
  }

  /** Role and database changes reconfigure the branch's running compute, as on Neon. */
  private applyConfig(
    branch: BranchRow,
    options: MutationOptions,
    spec?: OperationPlan['spec'],
  ): OperationRow[] {
    const endpointId = this.readWriteEndpointId(branch.id);
    if (!endpointId) return [];
    return this.operations.schedule(
      branch.project_id,
      [{ action: 'apply_config', branchId: branch.id, endpointId, spec }],
      options.at,
    );
  }

  // ---- roles ----

  listRoles(projectId: string, branchId: string): readonly RoleRow[] {
    this.branch(projectId, branchId);
    return this.liveRoles.get(branchId, () =>
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
    return this.existingRole(branchId, name);
  }

  private existingRole(branchId: string, name: string): RoleRow {
    const row = this.liveRole(branchId, name);
    if (!row) throw notFound(`role not found for branch; branch_id: ${branchId}`);
    return row;
  }

  private insertRole(
    branch: BranchRow,
    name: string,
    o: { protected?: boolean; noLogin?: boolean; at: number; advance?: boolean },
  ): RoleRow {
    this.assertNoLive('role', branch, name);
    const lsn =
      o.advance === false ? this.history.head(branch.id) : this.history.advance(branch.id, o.at);
    return this.sql.returning<RoleRow>(
      `INSERT INTO roles (branch_id, name, password, protected, no_login, created_at, updated_at, created_lsn) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      branch.id,
      name,
      o.protected || o.noLogin ? null : ids.password(),
      o.protected ? 1 : 0,
      o.noLogin ? 1 : 0,
      o.at,
      o.at,
      lsn,
    );
  }

  createRole(
    projectId: string,
    branchId: string,
    name: string,
    options: MutationOptions & {
      /** Neon's `no_login`: a role without a password, that cannot log in. */
      noLogin?: boolean;
    } = {},
  ): Mutation<RoleRow> {
    return this.transaction(() => {
      const branch = this.branch(projectId, branchId);
      this.assertNoLive('role', branch, name);
      this.assertRoom(
        'rolesPerBranch',
        `FROM roles WHERE branch_id = ? AND deleted_lsn IS NULL`,
        branch.id,
      );
      this.operations.assertIdle(projectId, options.at);
      const role = this.insertRole(branch, name, {
        at: options.at ?? this.now(),
        noLogin: options.noLogin,
      });
      return { value: role, operations: this.applyConfig(branch, options) };
    });
  }

  /** Deletes a role; `value` is undefined when it had already been deleted (Neon answers 204). */
  deleteRole(
    projectId: string,
    branchId: string,
    name: string,
    options: MutationOptions & {
      /** Databases the role owns in the branch's Postgres (made with SQL too). */
      ownedInCatalog?: readonly string[];
    } = {},
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
        throw notFound(`role not found for branch; branch_id: ${branchId}`);
      }
      if (role.protected)
        throw unprocessable(`role ${JSON.stringify(name)} is protected and cannot be deleted`);
      const owned = [
        ...new Set([
          ...this.all<{ name: string }>(
            `SELECT name FROM databases WHERE branch_id = ? AND owner_name = ? AND deleted_lsn IS NULL`,
            branch.id,
            name,
          ).map((d) => d.name),
          ...(options.ownedInCatalog ?? []),
        ]),
      ].sort();
      if (owned.length) {
        const list = owned.map((d) => JSON.stringify(d)).join(', ');
        throw unprocessable(
          `role ${JSON.stringify(name)} owns ${owned.length === 1 ? 'database' : 'databases'} ${list}; delete ${owned.length === 1 ? 'it' : 'them'} or change the owner first`,
        );
      }
      this.operations.assertIdle(projectId, options.at);
      const now = options.at ?? this.now();
      const lsn = this.history.advance(branch.id, now);
      this.run(
        `UPDATE roles SET deleted_at = ?, deleted_lsn = ? WHERE seq = ?`,
        now,
        lsn,
        role.seq,
      );
      return { value: role, operations: this.applyConfig(branch, options, { dropRoles: [name] }) };
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
      const role = this.existingRole(branch.id, name);
      if (role.protected)
        throw unprocessable(
          `role ${JSON.stringify(name)} is protected; its password cannot be reset`,
        );
      // Neon's words and code for a role made without a password (issue 11).
      if (role.no_login)
        throw unprocessable(
          'cannot update password for role without password',
          'ROLE_PASSWORD_NOT_AVAILABLE',
        );
      this.operations.assertIdle(projectId, options.at);
      const now = options.at ?? this.now();
      this.history.advance(branch.id, now);
      return {
        value: this.sql.returning<RoleRow>(
          `UPDATE roles SET password = ?, updated_at = ? WHERE seq = ? RETURNING *`,
          ids.password(),
          now,
          role.seq,
        ),
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
    if (!row) throw notFound(`database not found for branch; branch_id: ${branchId}`);
    return row;
  }

  private insertDatabase(
    branch: BranchRow,
    name: string,
    owner: string,
    at: number,
    advance = true,
  ): DatabaseRow {
    this.assertNoLive('database', branch, name);
    if (!this.liveRole(branch.id, owner))
      throw invalid(`owner role ${JSON.stringify(owner)} does not exist on branch ${branch.id}`);
    const lsn = advance ? this.history.advance(branch.id, at) : this.history.head(branch.id);
    return this.sql.returning<DatabaseRow>(
      `INSERT INTO databases (branch_id, name, owner_name, created_at, updated_at, created_lsn) VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
      branch.id,
      name,
      owner,
      at,
      at,
      lsn,
    );
  }

  /** Refuses a second live role or database of the same name on the branch (409). */
  private assertNoLive(kind: 'role' | 'database', branch: BranchRow, name: string): void {
    const table = kind === 'role' ? 'roles' : 'databases';
    if (
      this.get(
        `SELECT 1 FROM ${table} WHERE branch_id = ? AND name = ? AND deleted_lsn IS NULL`,
        branch.id,
        name,
      )
    ) {
      throw conflict(`${kind} ${JSON.stringify(name)} already exists on branch ${branch.id}`);
    }
  }

  createDatabase(
    projectId: string,
    branchId: string,
    input: { name: string; owner: string },
    options: MutationOptions = {},
  ): Mutation<DatabaseRow> {
    return this.transaction(() => {
      const branch = this.branch(projectId, branchId);
      this.assertNoLive('database', branch, input.name);
      this.assertRoom(
        'databasesPerBranch',
        `FROM databases WHERE branch_id = ? AND deleted_lsn IS NULL`,
        branch.id,
      );
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
        throw notFound(`database not found for branch; branch_id: ${branchId}`);
      }
      this.operations.assertIdle(projectId, options.at);
      const now = options.at ?? this.now();
      const lsn = this.history.advance(branch.id, now);
      this.run(
        `UPDATE databases SET deleted_at = ?, deleted_lsn = ? WHERE id = ?`,
        now,
        lsn,
        db.id,
      );
      return {
        value: db,
        operations: this.applyConfig(branch, options, { dropDatabases: [name] }),
      };
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
    if (!row) throw notFound('operation not found');
    return row;
  }
}

/** The point asked for, as the compute engine takes it (undefined: the parent's head). */
function pointSpec(point: BranchPoint): OperationPlan['spec'] {
  if (!point) return undefined;
  return 'lsn' in point
    ? { point: { lsn: formatLsn(point.lsn) } }
    : { point: { timestamp: new Date(point.timestamp).toISOString() } };
}
