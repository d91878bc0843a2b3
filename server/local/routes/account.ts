import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { ApiEnv } from '../../http/env.ts';
import type { LocalContext } from '../context.ts';
import type { Account } from '../shapes.ts';

/**
 * `GET /users/me`: the account (in Neon's words a user, not a role of a branch); `GET /auth`:
 * what the key is. The local key is a personal key of that user, answered as Neon answers a
 * personal key (`api_key_user` with the user's id; an organization key would be `api_key_org`
 * with the organization's id), so Neon's clients go on to list the user's organizations.
 */
export function accountRoutes({ account }: LocalContext) {
  return new Hono<ApiEnv>()
    .get('/auth', (c) => c.json({ account_id: account.id, auth_method: 'api_key_user' }))
    .get('/users/me', (c) =>
      c.json({
        active_seconds_limit: 0,
        id: account.id,
        email: account.email,
        login: account.login,
        name: account.login,
        last_name: '',
        image: '',
        projects_limit: 100,
        branches_limit: account.branchesLimit,
        max_autoscaling_limit: 16,
        auth_accounts: [
          {
            provider: 'keycloak',
            email: account.email,
            name: account.login,
            login: account.login,
            image: '',
          },
        ],
        plan: 'free_v3',
      }),
    );
}

/** What the account reports as its branch limit when NEON_LOCAL_BRANCHES_PER_PROJECT is 0 (lifted). */
const LIFTED_BRANCHES_LIMIT = 5000;

/**
 * The local server's one account, named by `NEON_LOCAL_ACCOUNT`; its id is stable across
 * restarts. It reports the branch limit the store enforces.
 */
export function localAccount(login: string, branchesPerProject: number): Account {
  return {
    login,
    branchesLimit: branchesPerProject || LIFTED_BRANCHES_LIMIT,
    email: `${login}@example.com`,
    id: createHash('sha256').update(login).digest('hex').slice(0, 32),
  };
}
