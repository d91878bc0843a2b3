import { queryOptions } from '@tanstack/react-query';
import { getAuthDetails } from '@neon/sdk/raw';
import { neonClient } from '@/api/neon-client';
import { orAbsent } from '@/api/absent';

/**
 * What the server's key is, as far as the console needs to know:
 * - `personal`: a user's key, which may see several organizations (projects need `org_id`);
 * - `organization`: an organization's key, or a project-scoped key (Neon's `GET /auth`
 *   answers `api_key_org` with the organization's id for both);
 * - `unknown`: the server has no `GET /auth` (our local server before it learnt it).
 */
export type KeyKind =
  | { kind: 'personal'; accountId: string }
  | { kind: 'organization'; orgId: string }
  | { kind: 'unknown' };

export const authQueries = {
  details: () =>
    queryOptions({
      queryKey: ['auth'],
      queryFn: ({ signal }) =>
        orAbsent(() => getAuthDetails({ client: neonClient(), signal, throwOnError: true })),
      select: (data): KeyKind => {
        if (data?.auth_method === 'api_key_org' && data.account_id)
          return { kind: 'organization', orgId: data.account_id };
        if (data?.account_id) return { kind: 'personal', accountId: data.account_id };
        return { kind: 'unknown' };
      },
      // Who the key belongs to does not change while the server runs.
      staleTime: Infinity,
    }),
};
