import { useEffect, useId, useRef, useSyncExternalStore } from 'react';
import type { Branch, Operation, Role } from '@neon/sdk/raw';
import { Button } from '@/components/ui/button';
import { createModuleLoader } from '@/lib/module-loader';

// The dialogs (and Radix with them) stay out of the first paint: they are imported once
// the list is on screen, then rendered synchronously, so a click paints its dialog at once.
const dialogModules = createModuleLoader(() => import('@/pages/users/open-dialog'));

/** Imports the dialogs once `ready` (the list has painted), so none waits for the network when opened. */
export function usePreloadUserDialogs(ready: boolean) {
  useEffect(() => {
    if (!ready) return;
    const timer = setTimeout(dialogModules.load, 0);
    return () => clearTimeout(timer);
  }, [ready]);
}

export type DialogState =
  | { kind: 'new' }
  | { kind: 'delete'; role: Role }
  | { kind: 'reset'; role: Role; branch: Branch }
  | { kind: 'connect'; roleName?: string };

export interface OpenDialogProps {
  dialog: DialogState;
  projectId: string;
  branch: Branch;
  branches: Branch[];
  /** Names of this branch's users whose last change is still being applied. */
  busy: (roleName: string) => boolean;
  onOperations: (branchId: string, roleName: string, operations: Operation[]) => void;
  onOpen: (dialog: DialogState) => void;
  onClose: () => void;
  /** Puts focus back where the dialog was opened from. */
  returnFocus: () => void;
}

/** The one open dialog of the users section, or none. */
export function UserDialogs({
  dialog,
  ...props
}: Omit<OpenDialogProps, 'dialog'> & { dialog: DialogState | null }) {
  const { onClose, returnFocus } = props;
  const modules = useSyncExternalStore(dialogModules.subscribe, dialogModules.getState);
  useEffect(() => {
    if (dialog) dialogModules.load();
  }, [dialog]);
  if (!dialog) return null;

  if (modules.status !== 'ready') {
    return (
      <DialogPlaceholder
        title={dialogTitle(dialog)}
        failed={modules.status === 'failed'}
        onRetry={dialogModules.load}
        onClose={() => {
          onClose();
          returnFocus();
        }}
      />
    );
  }

  return <modules.module.OpenDialog {...props} dialog={dialog} />;
}

function dialogTitle(dialog: DialogState): string {
  switch (dialog.kind) {
    case 'new':
      return 'New user';
    case 'delete':
      return `Delete user ${dialog.role.name}?`;
    case 'reset':
      return `Reset the password of ${dialog.role.name}?`;
    case 'connect':
      return 'Connect to your database';
  }
}

/**
 * Stands in while the dialogs' code is still arriving (only a click in the first moments
 * after load, or offline). Plain markup, since Radix comes with that code.
 */
function DialogPlaceholder({
  title,
  failed,
  onRetry,
  onClose,
}: {
  title: string;
  failed: boolean;
  onRetry: () => void;
  onClose: () => void;
}) {
  const id = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [onClose]);
  return (
    <>
      <div className="dialog-overlay" />
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-message`}
        className="dialog dialog-sm"
        tabIndex={-1}
      >
        <h2 id={`${id}-title`} className="dialog-title">
          {title}
        </h2>
        {failed ? (
          <p id={`${id}-message`} className="dialog-description" role="alert">
            This dialog could not be loaded. Check your connection and try again.
          </p>
        ) : (
          <p id={`${id}-message`} className="dialog-description" role="status">
            Loading…
          </p>
        )}
        <div className="dialog-footer">
          <Button onClick={onClose}>Close</Button>
          {failed ? (
            <Button variant="primary" onClick={onRetry}>
              Try again
            </Button>
          ) : null}
        </div>
      </div>
    </>
  );
}
