import { useRef } from 'react';
import type { Branch, Operation, Role } from '@neon/sdk/raw';
import { useResetRolePassword } from '@/api/role-mutations';
import { Dialog, DialogContent } from '@/components/ui/dialog';
import { ConfirmRoleChange } from '@/pages/users/confirm-role-change';
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
    <ConfirmRoleChange
      roleName={role.name}
      title={`Reset the password of ${role.name}?`}
      description={`Neon generates a new password for ${role.name} on branch ${branch.name}. The current password stops working, so update every application that uses it.`}
      applying={applying}
      applyingAction="The reset"
      pending={reset.isPending}
      error={reset.error}
      errorTitle="The password was not reset."
      confirmVariant="primary"
      confirmLabel="Sure, reset"
      pendingLabel="Resetting…"
      onConfirm={confirm}
      onClose={close}
      onCloseAutoFocus={(event) =>
        handedOver.current ? event.preventDefault() : onCloseAutoFocus(event)
      }
    />
  );
}
