import { queryOptions } from '@tanstack/react-query';
import { listProjectBranches } from '@neon/sdk/raw';
import { neonClient } from '@/api/neon-client';

export const branchQueries = {
  list: (projectId: string) =>
    queryOptions({
      queryKey: ['projects', projectId, 'branches'],
      queryFn: ({ signal }) =>
        listProjectBranches({
          client: neonClient(),
          path: { project_id: projectId },
          signal,
          throwOnError: true,
        }),
      select: (data) => data.branches,
    }),
};
