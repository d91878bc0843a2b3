import { Store } from '../../server/local/store/store.ts';

export interface BenchData {
  projectId: string;
  /** Default branch with SMALL_BRANCH_ROLES roles. */
  smallBranchId: string;
  /** Child of the small branch, topped up to BIG_BRANCH_ROLES roles. */
  bigBranchId: string;
  /** A small second branch, for the page's branch-switch figure. */
  devBranchId: string;
}

export const SMALL_BRANCH_ROLES = 50;
export const BIG_BRANCH_ROLES = 10_000;
const OWNER_ROLE = 'bench_owner';

/**
 * Writes the benchmark project straight through the server's own Store (the same code
 * and durability settings the API uses), before the server under test opens the files.
 * main: web_access + bench_owner + 48 users = 50; big: those 50 + 9,950 more = 10,000.
 */
export function seedBenchData(dataDir: string): BenchData {
  // The big branch holds 20 times Neon's 500 roles per branch: the limit is lifted (with it
  // raised to 10,000 instead, each insert would count the branch's roles so far).
  const store = new Store({ dataDir, operationMs: 0, limits: { rolesPerBranch: 0 } });
  try {
    return store.transaction(() => {
      const { project, branch } = store.createProject({
        // The server moves it into its own organization when it opens the files.
        orgId: 'org-bench',
        name: 'bench',
        roleName: OWNER_ROLE,
        databaseName: 'benchdb',
      }).value;
      const pad = (i: number) => String(i).padStart(5, '0');
      for (let i = 0; i < SMALL_BRANCH_ROLES - 2; i++)
        store.createRole(project.id, branch.id, `user_${pad(i)}`);
      const dev = store.createBranch(project.id, {
        name: 'dev',
        parentId: branch.id,
        endpoints: [{ type: 'read_write' }],
      }).value.branch;
      store.createRole(project.id, dev.id, 'dev_only_user');
      const big = store.createBranch(project.id, {
        name: 'big',
        parentId: branch.id,
        endpoints: [{ type: 'read_write' }],
      }).value.branch;
      for (let i = SMALL_BRANCH_ROLES - 2; i < BIG_BRANCH_ROLES - 2; i++)
        store.createRole(project.id, big.id, `user_${pad(i)}`);
      return {
        projectId: project.id,
        smallBranchId: branch.id,
        bigBranchId: big.id,
        devBranchId: dev.id,
      };
    });
  } finally {
    store.close();
  }
}
