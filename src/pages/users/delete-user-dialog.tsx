import type { Branch, Role } from '@neon/sdk/raw';
import { useDeleteRole } from '@/api/role-mutations';
import { ConfirmRoleChange } from '@/pages/users/confirm-role-change';

interface DeleteUserDialogProps {
  projectId: string;
  branch: Branch;
  role: Role;
  /** The user's last change is still being applied: Delete will wait for it. */
  applying: boolean;
  onClose: () => void;
  onCloseAutoFocus: (event: Event) => void;
}

export function DeleteUserDialog({
  projectId,
  branch,
  role,
  applying,
  onClose,
  onCloseAutoFocus,
}: DeleteUserDialogProps) {
  const deleteRole = useDeleteRole();

  const confirm = () => {
    if (deleteRole.isPending) return;
    // Closes only once Neon agreed; a refusal keeps the dialog open with its message.
    deleteRole.mutate(
      { projectId, branchId: branch.id, roleName: role.name },
      { onSuccess: onClose },
    );
  };

  return (
    <ConfirmRoleChange
      roleName={role.name}
      title={`Delete user ${role.name}?`}
      description={`This removes the user ${role.name} from branch ${branch.name}. Applications that connect as ${role.name} stop working. This cannot be undone.`}
      applying={applying}
      applyingAction="Delete"
      pending={deleteRole.isPending}
      error={deleteRole.error}
      errorTitle="The user was not deleted."
      confirmVariant="danger"
      confirmLabel="Delete"
      pendingLabel="Deleting…"
      onConfirm={confirm}
      onClose={onClose}
      onCloseAutoFocus={onCloseAutoFocus}
    />
  );
}
