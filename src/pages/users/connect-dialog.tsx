import { useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Branch, Role } from '@neon/sdk/raw';
import { databaseQueries } from '@/api/databases';
import { endpointQueries } from '@/api/endpoints';
import { useRevealRolePassword } from '@/api/role-mutations';
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
import {
  CONNECTION_FORMATS,
  formatConnection,
  showsPassword,
  type ConnectionFormat,
} from '@/lib/connection-formats';
import { poolerHost } from '@/lib/connection-strings';
import { isPortableEnvValue } from '@/lib/env-file';
import { BranchSelect } from '@/pages/users/branch-select';
import { canLogIn } from '@/pages/users/user-rows';

interface ConnectDialogProps {
  projectId: string;
  branches: Branch[];
  initialBranchId: string;
  /** The row's user; the header's Connect picks the branch's likeliest one. */
  initialRoleName?: string;
  onResetPassword: (role: Role, branch: Branch) => void;
  onClose: () => void;
  onCloseAutoFocus: (event: Event) => void;
}

// Alphanumeric, so it passes URL encoding and quoting unchanged and can be masked after.
const PASSWORD_STANDIN = 'Zq7PasswordStandIn9Xw';
const MASK = '********';

/** The outcome of the last Copy, for the text it copied (stale once the text changes). */
type CopyState = { text: string; status: 'copied' | 'refused'; masked: boolean } | null;

/** Neon's Connect dialog: pick branch, database and user; copy a string in several formats. */
export function ConnectDialog({
  projectId,
  branches,
  initialBranchId,
  initialRoleName,
  onResetPassword,
  onClose,
  onCloseAutoFocus,
}: ConnectDialogProps) {
  const id = useId();
  const [branchId, setBranchId] = useState(initialBranchId);
  const [chosenDatabase, setDatabase] = useState<string | undefined>();
  const [chosenRole, setRole] = useState<string | undefined>(initialRoleName);
  const [pooled, setPooled] = useState(true);
  const [format, setFormat] = useState<ConnectionFormat>('url');
  const [lastCopy, setCopy] = useState<CopyState>(null);
  const reveal = useRevealRolePassword();

  const branch = branches.find((b) => b.id === branchId);
  const roles = useQuery(roleQueries.list(projectId, branchId));
  const databases = useQuery(databaseQueries.list(projectId, branchId));
  const endpoints = useQuery(endpointQueries.listForBranch(projectId, branchId));

  const dbs = databases.data ?? [];
  const database =
    dbs.find((db) => db.name === chosenDatabase) ??
    dbs.find((db) => db.owner_name === chosenRole) ??
    dbs.find((db) => db.name === 'neondb') ??
    dbs[0];
  const loginRoles = (roles.data ?? []).filter((r) => !r.protected);
  const role =
    loginRoles.find((r) => r.name === chosenRole) ??
    loginRoles.find((r) => r.name === database?.owner_name) ??
    loginRoles[0];
  const endpoint = endpoints.data?.find((e) => e.type === 'read_write');

  // A shown password belongs to one user on one branch: the pickers forget it on change,
  // and it is never used for another.
  const revealedFor = reveal.variables;
  const password =
    revealedFor?.branchId === branchId && revealedFor.roleName === role?.name
      ? reveal.data?.password
      : undefined;
  const forgetPassword = reveal.reset;
  const shown = password !== undefined;
  const host = endpoint ? (pooled ? poolerHost(endpoint.host, endpoint.id) : endpoint.host) : '';
  const text =
    role && database && endpoint
      ? formatConnection(format, {
          host,
          database: database.name,
          user: role.name,
          password: password ?? PASSWORD_STANDIN,
        })
      : '';
  const visibleText = text.replaceAll(PASSWORD_STANDIN, MASK);
  const holdsPassword = showsPassword(format);
  const copy = lastCopy?.text === visibleText ? lastCopy : null;
  const portable =
    format !== 'env' ||
    [role?.name ?? '', database?.name ?? '', password ?? ''].every(isPortableEnvValue);

  const toggleShown = () => {
    if (reveal.isPending) return;
    if (shown) reveal.reset();
    else if (role) reveal.mutate({ projectId, branchId, roleName: role.name });
  };

  const copyText = async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(visibleText);
      setCopy({ text: visibleText, status: 'copied', masked: holdsPassword && !shown });
    } catch {
      setCopy({ text: visibleText, status: 'refused', masked: false });
    }
  };

  let body;
  if (roles.error || databases.error || endpoints.error) {
    body = (
      <ErrorMessage
        error={(roles.error ?? databases.error ?? endpoints.error)!}
        title="Connection details could not be loaded."
      />
    );
  } else if (!roles.data || !databases.data || !endpoints.data) {
    body = (
      <p className="muted" role="status">
        Loading connection details…
      </p>
    );
  } else if (!role) {
    body = <p className="muted">Branch {branch?.name} has no user that can connect.</p>;
  } else if (!canLogIn(role)) {
    body = (
      <p className="info-box" role="status">
        {role.name} cannot log in: it has no password, so there is no connection string for it.
        Choose another user.
      </p>
    );
  } else if (!endpoint) {
    body = <p className="muted">Branch {branch?.name} has no read-write compute to connect to.</p>;
  } else if (!database) {
    body = <p className="muted">Branch {branch?.name} has no database.</p>;
  } else {
    body = (
      <>
        <div className="connect-options">
          <div className="field field-check">
            <input
              id={`${id}-pooled`}
              type="checkbox"
              role="switch"
              checked={pooled}
              onChange={(event) => setPooled(event.target.checked)}
              aria-describedby={`${id}-pooled-hint`}
            />
            <label htmlFor={`${id}-pooled`}>Connection pooling</label>
            <p id={`${id}-pooled-hint`} className="small muted">
              {pooled
                ? 'Through Neon’s pooler (-pooler host): for many short connections.'
                : 'Direct to the compute: for migrations, sessions and pg_dump.'}
            </p>
          </div>
          <div className="field">
            <label htmlFor={`${id}-format`}>Format</label>
            <select
              id={`${id}-format`}
              className="select"
              value={format}
              onChange={(event) => setFormat(event.target.value as ConnectionFormat)}
            >
              {CONNECTION_FORMATS.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.label}
                </option>
              ))}
            </select>
          </div>
        </div>

        <figure className="connection-text">
          <figcaption className="sr-only">
            {CONNECTION_FORMATS.find((f) => f.id === format)?.label} for {role.name}
          </figcaption>
          <pre className="mono">{visibleText}</pre>
        </figure>
        {!portable ? (
          <p className="small muted">
            A name here holds both ' and one of " $ ` \: this .env reads back right with the shell’s{' '}
            <code>source</code>, not with dotenv readers.
          </p>
        ) : null}
        {reveal.error ? (
          <ErrorMessage error={reveal.error} title="The password could not be shown." />
        ) : null}
        <p className="small" role="status">
          {copy?.status === 'copied'
            ? copy.masked
              ? 'Copied, without the password: press Show password to include it.'
              : 'Copied to the clipboard.'
            : copy?.status === 'refused'
              ? 'Your browser blocked copying: select the text and copy it yourself.'
              : ''}
        </p>
        <div className="connect-actions">
          <Button onClick={() => void copyText()}>Copy</Button>
          {holdsPassword ? (
            // Not `disabled` while fetching: a disabled button drops the keyboard focus.
            <Button aria-pressed={shown} onClick={toggleShown}>
              {reveal.isPending ? 'Showing…' : shown ? 'Hide password' : 'Show password'}
            </Button>
          ) : null}
          <button
            type="button"
            className="link-button"
            onClick={() => branch && onResetPassword(role, branch)}
          >
            Reset password
          </button>
        </div>
      </>
    );
  }

  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent className="dialog-wide" onCloseAutoFocus={onCloseAutoFocus}>
        <DialogTitle>Connect to your database</DialogTitle>
        <DialogDescription>
          Pick a branch, database and user, then copy the connection details. The password stays
          hidden until you show it.
        </DialogDescription>

        <div className="connect-pickers">
          <BranchSelect
            id={`${id}-branch`}
            branches={branches}
            value={branchId}
            onChange={(next) => {
              forgetPassword();
              setBranchId(next);
              setDatabase(undefined);
            }}
          />
          <div className="field field-inline">
            <label htmlFor={`${id}-database`}>Database</label>
            <select
              id={`${id}-database`}
              className="select"
              value={database?.name ?? ''}
              onChange={(event) => setDatabase(event.target.value)}
              disabled={dbs.length === 0}
            >
              {dbs.map((db) => (
                <option key={db.name} value={db.name}>
                  {db.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field field-inline">
            <label htmlFor={`${id}-role`}>User</label>
            <select
              id={`${id}-role`}
              className="select"
              value={role?.name ?? ''}
              onChange={(event) => {
                forgetPassword();
                setRole(event.target.value);
              }}
              disabled={loginRoles.length === 0}
            >
              {loginRoles.map((r) => (
                <option key={r.name} value={r.name}>
                  {canLogIn(r) ? r.name : `${r.name} (cannot log in)`}
                </option>
              ))}
            </select>
          </div>
        </div>

        {body}

        <DialogFooter>
          <Button variant="primary" onClick={onClose}>
            Close
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
