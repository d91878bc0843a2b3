import {
  lazy,
  Suspense,
  useCallback,
  useDeferredValue,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import type { Branch, Operation, Role } from '@neon/sdk/raw';
import { branchQueries } from '@/api/branches';
import { databaseQueries } from '@/api/databases';
import { isFailed, isUnfinished, useProjectOperations } from '@/api/operations';
import { projectQueries } from '@/api/projects';
import { roleQueries } from '@/api/roles';
import { ConsoleShell } from '@/components/console-shell';
import { Button } from '@/components/ui/button';
import { ErrorMessage } from '@/components/ui/error-message';
import { usersPath } from '@/lib/routes';
import { NotFoundState } from '@/pages/not-found-state';
import { BranchSelect } from '@/pages/users/branch-select';
import { UsersTable, type Sort, type UserRow } from '@/pages/users/users-table';

// Dialogs (and Radix with them) stay out of the first paint; they are fetched once the
// list is on screen, so opening one later does not wait for the network.
const loadNewUserDialog = () => import('@/pages/users/new-user-dialog');
const loadDeleteUserDialog = () => import('@/pages/users/delete-user-dialog');
const loadResetPasswordDialog = () => import('@/pages/users/reset-password-dialog');
const NewUserDialog = lazy(() => loadNewUserDialog().then((m) => ({ default: m.NewUserDialog })));
const DeleteUserDialog = lazy(() =>
  loadDeleteUserDialog().then((m) => ({ default: m.DeleteUserDialog })),
);
const ResetPasswordDialog = lazy(() =>
  loadResetPasswordDialog().then((m) => ({ default: m.ResetPasswordDialog })),
);

function usePrefetchDialogs(ready: boolean) {
  useEffect(() => {
    if (!ready) return;
    const timer = setTimeout(() => {
      void Promise.all([
        loadNewUserDialog(),
        loadDeleteUserDialog(),
        loadResetPasswordDialog(),
      ]).catch(() => {
        // Offline for now: React.lazy will try again when a dialog is opened.
      });
    }, 200);
    return () => clearTimeout(timer);
  }, [ready]);
}

export function UsersPage() {
  const { projectId = '' } = useParams();
  const [searchParams, setSearchParams] = useSearchParams();
  const project = useQuery(projectQueries.detail(projectId));
  const branches = useQuery(branchQueries.list(projectId));
  const requestedBranchId = searchParams.get('branch');

  const branch = branches.data?.find((b) =>
    requestedBranchId ? b.id === requestedBranchId : b.default,
  );
  const title = ['Users', branch?.name, project.data?.name, 'Neon Console']
    .filter(Boolean)
    .join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
  const selectBranch = useCallback(
    (branchId: string) => setSearchParams({ branch: branchId }),
    [setSearchParams],
  );

  let body;
  if (project.error?.kind === 'not_found' || branches.error?.kind === 'not_found') {
    body = (
      <NotFoundState
        title="Project not found"
        message={`There is no project "${projectId}", or you cannot see it.`}
        backTo="/"
        backLabel="Go to your projects"
      />
    );
  } else if (branches.data && project.data && !branch) {
    body = requestedBranchId ? (
      <NotFoundState
        title="Branch not found"
        message={`Project ${project.data.name} has no branch "${requestedBranchId}".`}
        backTo={usersPath(projectId)}
        backLabel="Show the default branch"
      />
    ) : (
      <p className="state-panel">This project has no branches.</p>
    );
  } else if (branches.data && project.data && branch) {
    body = (
      <UsersSection
        key={branch.id}
        projectId={projectId}
        branch={branch}
        branches={branches.data}
        onBranchChange={selectBranch}
      />
    );
  } else if (project.error || branches.error) {
    const error = project.error ?? branches.error;
    body = (
      <div className="state-panel">
        {error ? <ErrorMessage error={error} title="The project could not be loaded." /> : null}
        <Button
          onClick={() => {
            void project.refetch();
            void branches.refetch();
          }}
        >
          Try again
        </Button>
      </div>
    );
  } else {
    body = (
      <p role="status" className="state-panel">
        Loading project…
      </p>
    );
  }

  return (
    <ConsoleShell
      projectName={project.data?.name}
      branchName={branch?.name}
      usersHref={usersPath(projectId, requestedBranchId ?? undefined)}
    >
      {body}
    </ConsoleShell>
  );
}

type DialogState =
  { kind: 'new' } | { kind: 'delete'; role: Role } | { kind: 'reset'; role: Role } | null;

interface UsersSectionProps {
  projectId: string;
  branch: Branch;
  branches: Branch[];
  onBranchChange: (branchId: string) => void;
}

// Case-insensitive by code unit: Intl.Collator took ~350 ms to sort 10,000 names; this takes a few.
function compareNames(a: UserRow, b: UserRow): number {
  if (a.searchKey !== b.searchKey) return a.searchKey < b.searchKey ? -1 : 1;
  return a.role.name < b.role.name ? -1 : a.role.name > b.role.name ? 1 : 0;
}

function UsersSection({ projectId, branch, branches, onBranchChange }: UsersSectionProps) {
  const roles = useQuery(roleQueries.list(projectId, branch.id));
  const databases = useQuery(databaseQueries.list(projectId, branch.id));
  const operations = useProjectOperations(projectId);
  usePrefetchDialogs(roles.data !== undefined);

  const [search, setSearch] = useState('');
  const deferredSearch = useDeferredValue(search);
  const [sort, setSort] = useState<Sort>({ key: 'name', direction: 'asc' });
  const [dialog, setDialog] = useState<DialogState>(null);
  // Operations started from this page, per user, so the row can show their progress.
  const [tracked, setTracked] = useState<Record<string, Operation[]>>({});
  const openerRef = useRef<HTMLElement | null>(null);
  const newUserRef = useRef<HTMLButtonElement>(null);

  const openDialog = useCallback((state: DialogState, opener: HTMLElement) => {
    openerRef.current = opener;
    setDialog(state);
  }, []);
  const openDelete = useCallback(
    (role: Role, opener: HTMLElement) => openDialog({ kind: 'delete', role }, opener),
    [openDialog],
  );
  const openReset = useCallback(
    (role: Role, opener: HTMLElement) => openDialog({ kind: 'reset', role }, opener),
    [openDialog],
  );
  const closeDialog = useCallback(() => setDialog(null), []);
  // Focus goes back to what opened the dialog, or to New User when that row is gone.
  const restoreFocus = useCallback((event: Event) => {
    event.preventDefault();
    const opener = openerRef.current;
    if (opener?.isConnected) opener.focus();
    else newUserRef.current?.focus();
  }, []);
  const track = useCallback((branchId: string, roleName: string, ops: Operation[]) => {
    setTracked((current) => ({ ...current, [`${branchId}/${roleName}`]: ops }));
  }, []);

  const ownedBy = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const db of databases.data ?? [])
      map.set(db.owner_name, [...(map.get(db.owner_name) ?? []), db.name]);
    return map;
  }, [databases.data]);

  const opsById = useMemo(
    () => new Map((operations.data ?? []).map((op) => [op.id, op])),
    [operations.data],
  );
  const branchBusy = (operations.data ?? []).some(
    (op) => op.branch_id === branch.id && isUnfinished(op),
  );

  const allRows = useMemo<UserRow[]>(
    () =>
      (roles.data ?? []).map((role) => {
        const ops = (tracked[`${branch.id}/${role.name}`] ?? []).map(
          (op) => opsById.get(op.id) ?? op,
        );
        const failed = ops.find(isFailed);
        return {
          role,
          searchKey: role.name.toLowerCase(),
          createdMs: Date.parse(role.created_at),
          databases: ownedBy.get(role.name) ?? [],
          busy: ops.some(isUnfinished),
          failure: failed ? (failed.error ?? `${failed.action} ${failed.status}`) : undefined,
        };
      }),
    [roles.data, tracked, branch.id, opsById, ownedBy],
  );

  // Sorted once per data or sort change; typing in search only filters the sorted list.
  const sortedRows = useMemo(() => {
    const factor = sort.direction === 'asc' ? 1 : -1;
    if (sort.key === 'name') return allRows.slice().sort((a, b) => factor * compareNames(a, b));
    return allRows
      .slice()
      .sort((a, b) => factor * (a.createdMs - b.createdMs) || compareNames(a, b));
  }, [allRows, sort]);

  const rows = useMemo(() => {
    const needle = deferredSearch.trim().toLowerCase();
    return needle ? sortedRows.filter((row) => row.searchKey.includes(needle)) : sortedRows;
  }, [sortedRows, deferredSearch]);

  let list;
  if (roles.data) {
    list = (
      <>
        {roles.error ? (
          <ErrorMessage error={roles.error} title="The list could not be refreshed." />
        ) : null}
        {allRows.length === 0 ? (
          <div className="state-panel">
            <h2>No users on {branch.name} yet</h2>
            <p>Create one to connect to this branch with its own password.</p>
          </div>
        ) : rows.length === 0 ? (
          <div className="state-panel">
            <h2>No users match “{deferredSearch}”</h2>
            <Button onClick={() => setSearch('')}>Clear search</Button>
          </div>
        ) : (
          <UsersTable
            branchName={branch.name}
            layoutKey={`${branchBusy}/${Boolean(roles.error)}/${Boolean(databases.error && !databases.data)}`}
            rows={rows}
            sort={sort}
            onSortChange={setSort}
            onDelete={openDelete}
            onReset={openReset}
          />
        )}
      </>
    );
  } else if (roles.error) {
    list = (
      <div className="state-panel">
        <ErrorMessage error={roles.error} title="Users could not be loaded." />
        <Button onClick={() => void roles.refetch()}>Try again</Button>
      </div>
    );
  } else {
    list = (
      <div role="status" className="state-panel skeleton">
        Loading users…
      </div>
    );
  }

  return (
    <section aria-labelledby="users-title">
      <div className="page-header">
        <div>
          <h1 id="users-title">Users</h1>
          <p className="muted">Postgres roles of branch {branch.name}. The API calls them roles.</p>
        </div>
        <Button
          ref={newUserRef}
          variant="primary"
          onClick={(event) => openDialog({ kind: 'new' }, event.currentTarget)}
        >
          New User
        </Button>
      </div>

      <div className="toolbar">
        <BranchSelect
          id="branch-select"
          branches={branches}
          value={branch.id}
          onChange={onBranchChange}
        />
        <div className="field field-inline search">
          <label htmlFor="user-search">Search</label>
          <input
            id="user-search"
            type="search"
            className="input"
            placeholder="Search users by name"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            autoComplete="off"
          />
        </div>
        {roles.data ? (
          <p className="muted small count" aria-live="polite">
            {rows.length === allRows.length
              ? `${allRows.length} users`
              : `${rows.length} of ${allRows.length} users`}
          </p>
        ) : null}
      </div>

      {branchBusy ? (
        <p className="info-box" role="status">
          <span className="spinner" aria-hidden="true" /> Applying changes to branch {branch.name}…
        </p>
      ) : null}
      {databases.error && !databases.data ? (
        <ErrorMessage error={databases.error} title="Database owners could not be loaded." />
      ) : null}

      {list}

      <Suspense fallback={null}>
        {dialog?.kind === 'new' ? (
          <NewUserDialog
            projectId={projectId}
            branches={branches}
            initialBranchId={branch.id}
            onOperations={track}
            onClose={closeDialog}
            onCloseAutoFocus={restoreFocus}
          />
        ) : null}
        {dialog?.kind === 'delete' ? (
          <DeleteUserDialog
            projectId={projectId}
            branch={branch}
            role={dialog.role}
            onClose={closeDialog}
            onCloseAutoFocus={restoreFocus}
          />
        ) : null}
        {dialog?.kind === 'reset' ? (
          <ResetPasswordDialog
            projectId={projectId}
            branch={branch}
            role={dialog.role}
            onOperations={track}
            onClose={closeDialog}
            onCloseAutoFocus={restoreFocus}
          />
        ) : null}
      </Suspense>
    </section>
  );
}
