import { useRef } from 'react';
import type { Branch, Operation, Role } from '@neon/sdk/raw';
import { useResetRolePassword } from '@/api/role-mutations';
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogTitle,
} from '@/components/ui/alert-dialog';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogFooter } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import { ApplyingNote } from '@/pages/users/applying-note';
import { OneTimePassword } from '@/pages/users/one-time-password';

interface ResetPasswordDialogProps {
  projectId: string;
  branch: Branch;
  role: Role;
  /** The user's last change is still being applied: the reset will wait for it. */
  applying: boolean;
  onOperations: (branchId: string, roleName: string, operations: Operation[]) => void;
  onClose: () => void;
  onCloseAutoFocus: (event: Event) => void;
}

export function ResetPasswordDialog({
  projectId,
  branch,
  role,
  applying,
  onOperations,
  onClose,
  onCloseAutoFocus,
}: ResetPasswordDialogProps) {
  const reset = useResetRolePassword();
  // Once the password dialog takes over, the confirmation must not pull focus back out.
  const handedOver = useRef(false);

  const close = () => {
    reset.reset();
    onClose();
  };

  const confirm = () => {
    if (reset.isPending) return;
    reset.mutate(
      { projectId, branchId: branch.id, roleName: role.name },
      {
        onSuccess: (data) => {
          handedOver.current = true;
          onOperations(branch.id, role.name, data.operations);
        },
      },
    );
  };

  if (reset.data) {
    return (
      <Dialog open onOpenChange={(open) => !open && close()}>
        <DialogContent
          onCloseAutoFocus={onCloseAutoFocus}
          onInteractOutside={(event) => event.preventDefault()}
        >
          <OneTimePassword
            projectId={projectId}
            branchId={branch.id}
            branchName={branch.name}
            roleName={role.name}
            password={reset.data.role.password ?? ''}
            title={`New password for ${role.name}`}
            onDone={close}
          />
        </DialogContent>
      </Dialog>
    );
  }

  return (
    // While the reset is in flight the dialog stays: closing would lose the only copy of the password.
    <AlertDialog open onOpenChange={(open) => !open && !reset.isPending && close()}>
      <AlertDialogContent
        onCloseAutoFocus={(event) =>
          handedOver.current ? event.preventDefault() : onCloseAutoFocus(event)
        }
      >
        <AlertDialogTitle>Reset the password of {role.name}?</AlertDialogTitle>
        <AlertDialogDescription>
          Neon generates a new password for {role.name} on branch {branch.name}. The current
          password stops working, so update every application that uses it.
        </AlertDialogDescription>
        {applying ? <ApplyingNote name={role.name} action="The reset" /> : null}
        {reset.error ? (
          <ErrorMessage error={reset.error} title="The password was not reset." change />
        ) : null}
        <DialogFooter>
          <AlertDialogCancel disabled={reset.isPending}>Cancel</AlertDialogCancel>
          <Button variant="primary" onClick={confirm} disabled={reset.isPending}>
            {reset.isPending ? 'Resetting…' : 'Sure, reset'}
          </Button>
        </DialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
