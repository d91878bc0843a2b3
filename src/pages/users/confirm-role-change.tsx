import type { ReactNode } from 'react';
import type { NeonErrorUnion } from '@neon/sdk';
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

interface ConfirmRoleChangeProps {
  roleName: string;
  title: string;
  description: ReactNode;
  /** The user's last change is still being applied: this one will wait for it. */
  applying: boolean;
  /** How the note names this change while it waits ("Delete", "The reset"). */
  applyingAction: string;
  pending: boolean;
  error: NeonErrorUnion | null;
  errorTitle: string;
  confirmVariant: 'primary' | 'danger';
  confirmLabel: string;
  pendingLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  onCloseAutoFocus: (event: Event) => void;
}

/** The confirmation of a destructive change to one user: Cancel first, open until Neon answers. */
export function ConfirmRoleChange({
  roleName,
  title,
  description,
  applying,
  applyingAction,
  pending,
  error,
  errorTitle,
  confirmVariant,
  confirmLabel,
  pendingLabel,
  onConfirm,
  onClose,
  onCloseAutoFocus,
}: ConfirmRoleChangeProps) {
  return (
    // Esc and Cancel wait for the answer: closing mid-request would hide whether it worked.
    <AlertDialog open onOpenChange={(open) => !open && !pending && onClose()}>
      <AlertDialogContent onCloseAutoFocus={onCloseAutoFocus}>
        <AlertDialogTitle>{title}</AlertDialogTitle>
        <AlertDialogDescription>{description}</AlertDialogDescription>
        {applying ? (
          <p className="info-box small" role="status">
            <span className="spinner" aria-hidden="true" /> A change to {roleName} is still being
            applied. {applyingAction} waits for it to finish.
          </p>
        ) : null}
        {error ? <ErrorMessage error={error} title={errorTitle} change /> : null}
        <DialogFooter>
          <AlertDialogCancel disabled={pending}>Cancel</AlertDialogCancel>
          <Button variant={confirmVariant} onClick={onConfirm} disabled={pending}>
            {pending ? pendingLabel : confirmLabel}
          </Button>
        </DialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
