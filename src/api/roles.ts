import { queryOptions } from '@tanstack/react-query';
import { listProjectBranchRoles } from '@neon/sdk/raw';
import { neonClient } from '@/api/neon-client';

export const roleQueries = {
  list: (projectId: string, branchId: string) =>
    queryOptions({
      queryKey: ['projects', projectId, 'branches', branchId, 'roles'],
      queryFn: ({ signal }) =>
        listProjectBranchRoles({
          client: neonClient(),
          path: { project_id: projectId, branch_id: branchId },
          signal,
          throwOnError: true,
        }),
      select: (data) => data.roles,
    }),
};
