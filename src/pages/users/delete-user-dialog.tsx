import type { Branch, Role } from '@neon/sdk/raw';
import { useDeleteRole } from '@/api/roles';
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogTitle,
} from '@/components/ui/alert-dialog';
import { Button } from '@/components/ui/button';
import { DialogFooter } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';

interface DeleteUserDialogProps {
  projectId: string;
  branch: Branch;
  role: Role;
  onClose: () => void;
  onCloseAutoFocus: (event: Event) => void;
}

export function DeleteUserDialog({
  projectId,
  branch,
  role,
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
    <AlertDialog open onOpenChange={(open) => !open && onClose()}>
      <AlertDialogContent onCloseAutoFocus={onCloseAutoFocus}>
        <AlertDialogTitle>Delete user {role.name}?</AlertDialogTitle>
        <AlertDialogDescription>
          This removes the user {role.name} from branch {branch.name}. Applications that connect as{' '}
          {role.name} stop working. This cannot be undone.
        </AlertDialogDescription>
        {deleteRole.error ? (
          <ErrorMessage error={deleteRole.error} title="The user was not deleted." change />
        ) : null}
        <DialogFooter>
          <AlertDialogCancel>Cancel</AlertDialogCancel>
          <Button variant="danger" onClick={confirm} disabled={deleteRole.isPending}>
            {deleteRole.isPending ? 'Deleting…' : 'Delete'}
          </Button>
        </DialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
