import { queryOptions } from '@tanstack/react-query';
import { getCurrentUserOrganizations } from '@neon/sdk/raw';
import { neonClient } from '@/api/neon-client';
import { orAbsent } from '@/api/absent';

export interface OrganizationItem {
  id: string;
  name: string;
}

export const organizationQueries = {
  /** The user's organizations; `null` when the key or server cannot list them. */
  mine: () =>
    queryOptions({
      queryKey: ['users', 'me', 'organizations'],
      queryFn: ({ signal }) =>
        orAbsent(() =>
          getCurrentUserOrganizations({ client: neonClient(), signal, throwOnError: true }),
        ),
      select: (data): OrganizationItem[] | null =>
        data
          ? (data.organizations ?? []).map((org) => ({ id: org.id, name: org.name || org.id }))
          : null,
      staleTime: 60_000,
    }),
};
