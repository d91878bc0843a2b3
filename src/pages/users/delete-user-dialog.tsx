import type { Branch, Role } from '@neon/sdk/raw';
import { useDeleteRole } from '@/api/role-mutations';
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
import { ApplyingNote } from '@/pages/users/applying-note';

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
    // Esc and Cancel wait for the answer: closing mid-request would hide whether it worked.
    <AlertDialog open onOpenChange={(open) => !open && !deleteRole.isPending && onClose()}>
      <AlertDialogContent onCloseAutoFocus={onCloseAutoFocus}>
        <AlertDialogTitle>Delete user {role.name}?</AlertDialogTitle>
        <AlertDialogDescription>
          This removes the user {role.name} from branch {branch.name}. Applications that connect as{' '}
          {role.name} stop working. This cannot be undone.
        </AlertDialogDescription>
        {applying ? <ApplyingNote name={role.name} action="Delete" /> : null}
        {deleteRole.error ? (
          <ErrorMessage error={deleteRole.error} title="The user was not deleted." change />
        ) : null}
        <DialogFooter>
          <AlertDialogCancel disabled={deleteRole.isPending}>Cancel</AlertDialogCancel>
          <Button variant="danger" onClick={confirm} disabled={deleteRole.isPending}>
            {deleteRole.isPending ? 'Deleting…' : 'Delete'}
          </Button>
        </DialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
