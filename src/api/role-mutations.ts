import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import {
  createProjectBranchRole,
  deleteProjectBranchRole,
  getProjectBranchRolePassword,
  resetProjectBranchRolePassword,
} from '@neon/sdk/raw';
import { neonClient } from '@/api/neon-client';
import { roleQueries } from '@/api/roles';

// The role changes, apart from roles.ts's list because only the lazily loaded dialogs
// use them: the users page's first paint (110 KiB budget) does not carry them.

export interface RoleRef {
  projectId: string;
  branchId: string;
  roleName: string;
}

export interface NewRole extends RoleRef {
  /** False creates a `no_login` role: no password, it cannot connect. */
  canLogin: boolean;
}

// A role change alters that branch's role list (and starts operations); nothing else is
// read again. Mutations only invalidate: their answers carry a password, which must never
// be copied into the shared cache (setQueryData) where any component or devtool could read it.
function refetchChanged(
  queryClient: QueryClient,
  { projectId, branchId }: Omit<RoleRef, 'roleName'>,
) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: roleQueries.list(projectId, branchId).queryKey }),
    queryClient.invalidateQueries({ queryKey: ['projects', projectId, 'operations'] }),
  ]);
}

export function useCreateRole() {
  const queryClient = useQueryClient();
  return useMutation({
    // Its result holds the password: forget it as soon as no dialog shows it.
    gcTime: 0,
    mutationFn: ({ projectId, branchId, roleName, canLogin }: NewRole) =>
      createProjectBranchRole({
        client: neonClient(),
        path: { project_id: projectId, branch_id: branchId },
        body: { role: canLogin ? { name: roleName } : { name: roleName, no_login: true } },
        throwOnError: true,
      }),
    // Not awaited: the password dialog should not wait for a (possibly long) list reload.
    onSettled: (_data, _error, vars) => void refetchChanged(queryClient, vars),
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
    onSettled: (_data, _error, vars) => refetchChanged(queryClient, vars),
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
    onSettled: (_data, _error, vars) => void refetchChanged(queryClient, vars),
  });
}

/**
 * The current password, fetched only when the user asks to see it. A mutation, not a
 * query: its answer must not enter the query cache, and `gcTime: 0` drops it from the
 * mutation cache as soon as the dialog that shows it is gone.
 */
export function useRevealRolePassword() {
  return useMutation({
    gcTime: 0,
    mutationFn: ({ projectId, branchId, roleName }: RoleRef) =>
      getProjectBranchRolePassword({
        client: neonClient(),
        path: { project_id: projectId, branch_id: branchId, role_name: roleName },
        throwOnError: true,
      }),
  });
}
