import { limitExceeded } from './store-error.ts';

/** How many of each thing the local account may have; 0 means no limit. */
export interface Limits {
  rolesPerBranch: number;
  databasesPerBranch: number;
  branchesPerProject: number;
}

/**
 * Neon's numbers, the defaults of NEON_LOCAL_ROLES_PER_BRANCH, NEON_LOCAL_DATABASES_PER_BRANCH
 * and NEON_LOCAL_BRANCHES_PER_PROJECT:
 * - 500 roles per branch: neon.com/docs/manage/roles ("Neon enforces a limit of 500 roles per branch").
 * - 500 databases per branch: neon.com/docs/introduction/legacy-plans (Free plan: "Databases 500 per branch").
 * - 10 branches per project, the default branch included: neon.com/docs/introduction/plans (Free plan).
 */
export const NEON_LIMITS: Limits = {
  rolesPerBranch: 500,
  databasesPerBranch: 500,
  branchesPerProject: 10,
};

const REFUSALS = {
  rolesPerBranch: { code: 'ROLES_LIMIT_EXCEEDED', what: 'branch roles' },
  databasesPerBranch: { code: 'DATABASES_LIMIT_EXCEEDED', what: 'branch databases' },
  branchesPerProject: { code: 'BRANCHES_LIMIT_EXCEEDED', what: 'project branches' },
} as const;

/**
 * The refusal of one more when `count` reached the limit: 422 with Neon's code. The wording is
 * a guess modelled on the one Neon message of this family seen in public,
 * `422 {"code":"PROJECTS_LIMIT_EXCEEDED","message":"user projects limit of 1 exceeded, got 1"}`
 * (github.com/neondatabase/neonctl/issues/255).
 */
export function limitRefusal(kind: keyof Limits, limit: number, count: number) {
  const { code, what } = REFUSALS[kind];
  return limitExceeded(`${what} limit of ${limit} exceeded, got ${count}`, code);
}
