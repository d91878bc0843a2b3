import { queryOptions } from '@tanstack/react-query';
import { listProjectBranches, type Branch } from '@neon/sdk/raw';
import { neonClient } from '@/api/neon-client';
import { BRANCHES_PAGE_SIZE } from '../../rules/users-page-reads.ts';

export const branchQueries = {
  /** Every branch of the project: the pages are walked here, so the list is whole. */
  list: (projectId: string) =>
    queryOptions({
      queryKey: ['projects', projectId, 'branches'],
      queryFn: async ({ signal }) => {
        const branches: Branch[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await listProjectBranches({
            client: neonClient(),
            path: { project_id: projectId },
            query: { limit: BRANCHES_PAGE_SIZE, ...(cursor ? { cursor } : {}) },
            signal,
            throwOnError: true,
          });
          branches.push(...page.branches);
          const next = page.pagination?.next;
          // A repeated cursor would loop forever: stop as on a last page.
          if (!next || next === cursor || page.branches.length === 0) break;
          cursor = next;
        }
        return { branches };
      },
      select: (data) => data.branches,
    }),
};
