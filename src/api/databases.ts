import { queryOptions } from '@tanstack/react-query';
import { listProjectBranchDatabases } from '@neon/sdk/raw';
import { neonClient } from '@/api/neon-client';

export const databaseQueries = {
  list: (projectId: string, branchId: string) =>
    queryOptions({
      queryKey: ['projects', projectId, 'branches', branchId, 'databases'],
      queryFn: ({ signal }) =>
        listProjectBranchDatabases({
          client: neonClient(),
          path: { project_id: projectId, branch_id: branchId },
          signal,
          throwOnError: true,
        }),
      select: (data) => data.databases,
    }),
};
