import type { OpenDialogProps } from '@/pages/users/user-dialogs';
import { ConnectDialog } from '@/pages/users/connect-dialog';
import { DeleteUserDialog } from '@/pages/users/delete-user-dialog';
import { NewUserDialog } from '@/pages/users/new-user-dialog';
import { ResetPasswordDialog } from '@/pages/users/reset-password-dialog';

/** The dialogs' code-split entry (see user-dialogs.tsx): the open dialog, wired to the section. */
export function OpenDialog({
  dialog,
  projectId,
  branch,
  branches,
  busy,
  onOperations,
  onOpen,
  onClose,
  returnFocus,
}: OpenDialogProps) {
  const onCloseAutoFocus = (event: Event) => {
    event.preventDefault();
    returnFocus();
  };
  switch (dialog.kind) {
    case 'new':
      return (
        <NewUserDialog
          projectId={projectId}
          branches={branches}
          initialBranchId={branch.id}
          onOperations={onOperations}
          onClose={onClose}
          onCloseAutoFocus={onCloseAutoFocus}
        />
      );
    case 'delete':
      return (
        <DeleteUserDialog
          projectId={projectId}
          branch={branch}
          role={dialog.role}
          applying={busy(dialog.role.name)}
          onClose={onClose}
          onCloseAutoFocus={onCloseAutoFocus}
        />
      );
    case 'reset':
      return (
        <ResetPasswordDialog
          projectId={projectId}
          branch={dialog.branch}
          role={dialog.role}
          applying={dialog.branch.id === branch.id && busy(dialog.role.name)}
          onOperations={onOperations}
          onClose={onClose}
          onCloseAutoFocus={onCloseAutoFocus}
        />
      );
    case 'connect':
      return (
        <ConnectDialog
          projectId={projectId}
          branches={branches}
          initialBranchId={branch.id}
          initialRoleName={dialog.roleName}
          onResetPassword={(role, resetBranch) =>
            onOpen({ kind: 'reset', role, branch: resetBranch })
          }
          onClose={onClose}
          onCloseAutoFocus={onCloseAutoFocus}
        />
      );
  }
}
