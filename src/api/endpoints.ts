import { queryOptions } from '@tanstack/react-query';
import { listProjectBranchEndpoints } from '@neon/sdk/raw';
import { neonClient } from '@/api/neon-client';

export const endpointQueries = {
  listForBranch: (projectId: string, branchId: string) =>
    queryOptions({
      queryKey: ['projects', projectId, 'branches', branchId, 'endpoints'],
      queryFn: ({ signal }) =>
        listProjectBranchEndpoints({
          client: neonClient(),
          path: { project_id: projectId, branch_id: branchId },
          signal,
          throwOnError: true,
        }),
      select: (data) => data.endpoints,
    }),
};
