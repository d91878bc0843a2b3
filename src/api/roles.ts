import { queryOptions, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import {
  createProjectBranchRole,
  deleteProjectBranchRole,
  listProjectBranchRoles,
  resetProjectBranchRolePassword,
} from '@neon/sdk/raw';
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

export interface RoleRef {
  projectId: string;
  branchId: string;
  roleName: string;
}

// Mutations only invalidate: their answers carry a password, which must never be copied
// into the shared cache (setQueryData) where any component or devtool could read it.
function invalidateBranch(
  queryClient: QueryClient,
  { projectId, branchId }: Omit<RoleRef, 'roleName'>,
) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: ['projects', projectId, 'branches', branchId] }),
    queryClient.invalidateQueries({ queryKey: ['projects', projectId, 'operations'] }),
  ]);
}

export function useCreateRole() {
  const queryClient = useQueryClient();
  return useMutation({
    // Its result holds the password: forget it as soon as no dialog shows it.
    gcTime: 0,
    mutationFn: ({ projectId, branchId, roleName }: RoleRef) =>
      createProjectBranchRole({
        client: neonClient(),
        path: { project_id: projectId, branch_id: branchId },
        body: { role: { name: roleName } },
        throwOnError: true,
      }),
    // Not awaited: the password dialog should not wait for a (possibly long) list reload.
    onSettled: (_data, _error, vars) => void invalidateBranch(queryClient, vars),
  });
}

export function useDeleteRole() {
  const queryClient = useQueryClient();
  return useMutation({
    // Awaited, so the dialog closes onto a list the user is already gone from.
    mutationFn: ({ projectId, branchId, roleName }: RoleRef) =>
      deleteProjectBranchRole({
        client: neonClient(),
        path: { project_id: projectId, branch_id: branchId, role_name: roleName },
        throwOnError: true,
      }),
    onSettled: (_data, _error, vars) => invalidateBranch(queryClient, vars),
  });
}

export function useResetRolePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    gcTime: 0,
    mutationFn: ({ projectId, branchId, roleName }: RoleRef) =>
      resetProjectBranchRolePassword({
        client: neonClient(),
        path: { project_id: projectId, branch_id: branchId, role_name: roleName },
        throwOnError: true,
      }),
    onSettled: (_data, _error, vars) => void invalidateBranch(queryClient, vars),
  });
}
