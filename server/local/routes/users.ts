import { Hono } from 'hono';
import type { ApiEnv, LocalContext } from '../context.ts';

export function userRoutes({ account }: LocalContext) {
  return new Hono<ApiEnv>().get('/users/me', (c) =>
    c.json({
      active_seconds_limit: 0,
      id: account.id,
      email: account.email,
      login: account.login,
      name: account.login,
      last_name: '',
      image: '',
      projects_limit: 100,
      branches_limit: 5000,
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
