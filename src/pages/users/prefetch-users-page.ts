import type { QueryClient } from '@tanstack/react-query';
import { branchQueries } from '@/api/branches';
import { databaseQueries } from '@/api/databases';
import { operationQueries } from '@/api/operations';
import { projectQueries } from '@/api/projects';
import { roleQueries } from '@/api/roles';

/**
 * Starts every read the users page needs for its first paint before React renders it
 * (main.tsx, on a load of the page): the project, its branches and operations at once, and
 * the shown branch's users and databases as soon as the branches say which one that is
 * (the one in the URL, else the default, as UsersPage picks). The page's queries find them
 * in flight or done under the same keys; failures are left for the page to show.
 */
export function prefetchUsersPage(
  queryClient: QueryClient,
  projectId: string,
  requestedBranchId: string | null,
): Promise<unknown> {
  const branches = branchQueries.list(projectId);
  return Promise.all([
    queryClient.prefetchQuery(projectQueries.detail(projectId)),
    queryClient.prefetchQuery(operationQueries.list(projectId)),
    queryClient.prefetchQuery(branches).then(() => {
      const branch = queryClient
        .getQueryData(branches.queryKey)
        ?.branches.find((b) => (requestedBranchId ? b.id === requestedBranchId : b.default));
      if (!branch) return;
      return Promise.all([
        queryClient.prefetchQuery(roleQueries.list(projectId, branch.id)),
        queryClient.prefetchQuery(databaseQueries.list(projectId, branch.id)),
      ]);
    }),
  ]);
}
