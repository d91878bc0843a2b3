import { useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Branch, Operation } from '@neon/sdk/raw';
import { useCreateRole } from '@/api/role-mutations';
import { roleQueries } from '@/api/roles';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogTitle,
} from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import { describeRoleNameProblem, roleNameProblem } from '@/lib/role-name';
import { needsQuoting, quoteIdentifier } from '@/lib/sql-identifier';
import { MAX_NAME_BYTES, utf8ByteLength } from '../../../rules/names.ts';
import { BranchSelect } from '@/pages/users/branch-select';
import { OneTimePassword } from '@/pages/users/one-time-password';

interface NewUserDialogProps {
  projectId: string;
  branches: Branch[];
  initialBranchId: string;
  onOperations: (branchId: string, roleName: string, operations: Operation[]) => void;
  onClose: () => void;
  onCloseAutoFocus: (event: Event) => void;
}

const EMPTY = new Set<string>();

export function NewUserDialog({
  projectId,
  branches,
  initialBranchId,
  onOperations,
  onClose,
  onCloseAutoFocus,
}: NewUserDialogProps) {
  const id = useId();
  const [branchId, setBranchId] = useState(initialBranchId);
  const [name, setName] = useState('');
  const [canLogin, setCanLogin] = useState(true);
  const [submitted, setSubmitted] = useState(false);
  // A ref, not state: two Enter presses in one frame both run before React re-renders.
  const sending = useRef(false);
  const createRole = useCreateRole();
  const roles = useQuery(roleQueries.list(projectId, branchId));

  const existing = useMemo(
    () => (roles.data ? new Set(roles.data.map((r) => r.name)) : EMPTY),
    [roles.data],
  );
  const branch = branches.find((b) => b.id === branchId);
  const branchName = branch?.name ?? branchId;
  const bytes = utf8ByteLength(name);
  const problem = roleNameProblem(name, existing);
  // "Required" waits for a submit; every other problem shows while typing.
  const visibleProblem = problem && (problem.kind !== 'required' || submitted) ? problem : null;

  const close = () => {
    createRole.reset();
    onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (sending.current || createRole.isPending || problem) return;
    sending.current = true;
    createRole.mutate(
      { projectId, branchId, roleName: name, canLogin },
      {
        onSuccess: (data) => {
          onOperations(branchId, data.role.name, data.operations);
          // A user that cannot log in has no password to show: done.
          if (!canLogin) close();
        },
        onError: () => {
          sending.current = false;
        },
      },
    );
  };

  const created = createRole.data;
  const describedBy = [
    `${id}-count`,
    visibleProblem ? `${id}-problem` : '',
    needsQuoting(name) && name ? `${id}-hint` : '',
  ]
    .filter(Boolean)
    .join(' ');

  return (
    // While Create is in flight the dialog stays: closing would lose the only copy of the password.
    <Dialog open onOpenChange={(open) => !open && !createRole.isPending && close()}>
      <DialogContent
        onCloseAutoFocus={onCloseAutoFocus}
        // A stray click must not throw away a password that cannot be shown again.
        onInteractOutside={(event) => created && event.preventDefault()}
      >
        {created && canLogin ? (
          <OneTimePassword
            projectId={projectId}
            branchId={branchId}
            branchName={branchName}
            roleName={created.role.name}
            password={created.role.password ?? ''}
            title={`User ${created.role.name} created`}
            onDone={close}
          />
        ) : (
          <form onSubmit={submit} noValidate>
            <DialogTitle>New user</DialogTitle>
            <DialogDescription>Create a Postgres user on a branch.</DialogDescription>

            <BranchSelect
              id={`${id}-branch`}
              branches={branches}
              value={branchId}
              onChange={setBranchId}
            />

            <div className="field">
              <label htmlFor={`${id}-name`}>Name</label>
              <input
                id={`${id}-name`}
                className="input"
                value={name}
                onChange={(event) => setName(event.target.value)}
                aria-invalid={visibleProblem ? true : undefined}
                aria-describedby={describedBy}
                autoComplete="off"
                spellCheck={false}
                // The dialog opens on purpose to type a name: focus belongs here.
                // eslint-disable-next-line jsx-a11y/no-autofocus
                autoFocus
              />
              <p
                id={`${id}-count`}
                className={`small ${bytes > MAX_NAME_BYTES ? 'text-danger' : 'muted'}`}
              >
                {bytes}/{MAX_NAME_BYTES} bytes
              </p>
              {visibleProblem ? (
                <p id={`${id}-problem`} className="small text-danger" aria-live="polite">
                  {describeRoleNameProblem(visibleProblem, name, branchName)}
                </p>
              ) : null}
              {name && needsQuoting(name) && !visibleProblem ? (
                <p id={`${id}-hint`} className="small muted">
                  SQL needs this name quoted: <code>{quoteIdentifier(name)}</code>
                </p>
              ) : null}
            </div>

            <div className="field field-check">
              <input
                id={`${id}-login`}
                type="checkbox"
                checked={canLogin}
                onChange={(event) => setCanLogin(event.target.checked)}
                aria-describedby={`${id}-login-hint`}
              />
              <label htmlFor={`${id}-login`}>Can log in</label>
              <p id={`${id}-login-hint`} className="small muted">
                {canLogin
                  ? 'Neon generates a password, shown once after Create.'
                  : 'No password: a role for ownership and grants that cannot connect (no_login).'}
              </p>
            </div>

            {createRole.error ? (
              <ErrorMessage error={createRole.error} title="The user was not created." change />
            ) : null}

            <DialogFooter>
              <Button onClick={close} disabled={createRole.isPending}>
                Cancel
              </Button>
              <Button type="submit" variant="primary" disabled={createRole.isPending}>
                {createRole.isPending ? 'Creating…' : 'Create'}
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
