import { E2E_API_KEY, E2E_BASE_URL } from './settings.ts';

export interface Role {
  name: string;
  protected?: boolean;
  password?: string;
  authentication_method?: string;
}
export interface Operation {
  id: string;
  action: string;
  status: string;
  branch_id?: string;
}
export interface Fault {
  method?: string;
  /** Glob under /api/v2: `*` within a segment, `**` across. */
  path: string;
  count?: number;
  status?: 423 | 429 | 500 | 503;
  message?: string;
  retry_after?: number;
  delay_ms?: number;
  drop?: 'before' | 'after';
  fail_operations?: string;
}

/**
 * The test runner's own client of the local Neon API (with the key, which the browser
 * never has). Used to set data up, to check what the page did, and to arm faults.
 */
export class NeonApi {
  constructor(readonly baseUrl: string = E2E_BASE_URL) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${E2E_API_KEY}`,
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  /** Retries 423 (an operation of the project still runs), as every Neon client must. */
  async mutate<T>(method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.call<T>(method, path, body);
      } catch (error) {
        if (attempt >= 40 || !String(error).includes(': 423 ')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async projectByName(name: string) {
    const { projects } = await this.call<{ projects: Array<{ id: string; name: string }> }>(
      'GET',
      '/api/v2/projects',
    );
    const project = projects.find((p) => p.name === name);
    if (!project) throw new Error(`no project named ${name}`);
    return project;
  }

  async branches(projectId: string) {
    const { branches } = await this.call<{
      branches: Array<{ id: string; name: string; default: boolean }>;
    }>('GET', `/api/v2/projects/${projectId}/branches`);
    return branches;
  }

  async branchId(projectId: string, name: string) {
    const branch = (await this.branches(projectId)).find((b) => b.name === name);
    if (!branch) throw new Error(`project ${projectId} has no branch ${name}`);
    return branch.id;
  }

  /** A fresh project (branch main, users web_access and demo, database neondb owned by demo), idle. */
  async createProject(name: string) {
    const created = await this.mutate<{ project: { id: string }; branch: { id: string } }>(
      'POST',
      '/api/v2/projects',
      {
        project: { name },
      },
    );
    const project = { id: created.project.id, mainBranchId: created.branch.id };
    await this.waitIdle(project.id);
    return project;
  }

  async createBranch(projectId: string, name: string) {
    const created = await this.mutate<{ branch: { id: string } }>(
      'POST',
      `/api/v2/projects/${projectId}/branches`,
      {
        branch: { name },
        endpoints: [{ type: 'read_write' }],
      },
    );
    await this.waitIdle(projectId);
    return created.branch.id;
  }

  async roles(projectId: string, branchId: string) {
    const { roles } = await this.call<{ roles: Role[] }>(
      'GET',
      `/api/v2/projects/${projectId}/branches/${branchId}/roles`,
    );
    return roles;
  }

  async createRole(projectId: string, branchId: string, name: string) {
    const { role } = await this.mutate<{ role: Role }>(
      'POST',
      `/api/v2/projects/${projectId}/branches/${branchId}/roles`,
      {
        role: { name },
      },
    );
    await this.waitIdle(projectId);
    return role;
  }

  async operations(projectId: string) {
    const { operations } = await this.call<{ operations: Operation[] }>(
      'GET',
      `/api/v2/projects/${projectId}/operations?limit=100`,
    );
    return operations;
  }

  /** Until no operation of the project is unfinished (real computes need longer: `timeoutMs`). */
  async waitIdle(projectId: string, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const ops = await this.operations(projectId);
      if (!ops.some((op) => ['scheduling', 'running', 'cancelling'].includes(op.status))) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`operations of ${projectId} did not finish`);
  }

  /**
   * Faults are global to the server: every spec scopes its path to its own project (or to
   * a server of its own), so a fault can never fire on another test's request.
   */
  async armFault(fault: Fault) {
    await this.call('POST', '/__neon-local/faults', fault);
  }

  /**
   * A fault on one project's role calls, on any branch: `POST` is a create; with `roleName`,
   * the calls on that role (its delete, reset…).
   */
  async armRolesFault(
    projectId: string,
    method: string,
    fault: Omit<Fault, 'method' | 'path'>,
    roleName?: string,
  ) {
    const role = roleName === undefined ? '' : `/${roleName}`;
    await this.armFault({
      method,
      path: `/projects/${projectId}/branches/*/roles${role}`,
      ...fault,
    });
  }
}
