import { useCallback, useDeferredValue, useMemo, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Branch, Operation, Role } from '@neon/sdk/raw';
import { databaseQueries } from '@/api/databases';
import { isUnfinished, operationQueries } from '@/api/operations';
import { roleQueries } from '@/api/roles';
import { Button } from '@/components/ui/button';
import { ErrorMessage } from '@/components/ui/error-message';
import { SearchField } from '@/components/ui/search-field';
import { LoadFailedPanel, LoadingPanel } from '@/components/ui/state-panel';
import { BranchSelect } from '@/pages/users/branch-select';
import { UserDialogs, usePreloadUserDialogs, type DialogState } from '@/pages/users/user-dialogs';
import {
  buildUserRows,
  DEFAULT_SORT,
  filterRows,
  sortRows,
  type Sort,
  type TrackedOperations,
} from '@/pages/users/user-rows';
import { UsersTable } from '@/pages/users/users-table';

interface UsersSectionProps {
  projectId: string;
  branch: Branch;
  branches: Branch[];
  tracked: TrackedOperations;
  onOperations: (branchId: string, roleName: string, operations: Operation[]) => void;
  onBranchChange: (branchId: string) => void;
}

const NONE: never[] = [];

/** One branch's users: header, branch/search toolbar, the list in its states, and the dialogs. */
export function UsersSection({
  projectId,
  branch,
  branches,
  tracked,
  onOperations,
  onBranchChange,
}: UsersSectionProps) {
  const roles = useQuery(roleQueries.list(projectId, branch.id));
  const databases = useQuery(databaseQueries.list(projectId, branch.id));
  const operations = useQuery(operationQueries.list(projectId));
  usePreloadUserDialogs(roles.data !== undefined);

  const [search, setSearch] = useState('');
  const deferredSearch = useDeferredValue(search);
  const [sort, setSort] = useState<Sort>(DEFAULT_SORT);
  const [dialog, setDialog] = useState<DialogState | null>(null);
  const openerRef = useRef<HTMLElement | null>(null);
  const newUserRef = useRef<HTMLButtonElement>(null);

  const openFrom = useCallback((state: DialogState, opener: HTMLElement) => {
    openerRef.current = opener;
    setDialog(state);
  }, []);
  const openDelete = useCallback(
    (role: Role, opener: HTMLElement) => openFrom({ kind: 'delete', role }, opener),
    [openFrom],
  );
  const openReset = useCallback(
    (role: Role, opener: HTMLElement) => openFrom({ kind: 'reset', role, branch }, opener),
    [openFrom, branch],
  );
  const openConnect = useCallback(
    (role: Role, opener: HTMLElement) => openFrom({ kind: 'connect', roleName: role.name }, opener),
    [openFrom],
  );
  const closeDialog = useCallback(() => setDialog(null), []);
  // Focus goes back to what opened the dialog, or to New User when that row is gone.
  const returnFocus = useCallback(() => {
    const opener = openerRef.current;
    if (opener?.isConnected) opener.focus();
    else newUserRef.current?.focus();
  }, []);

  const branchBusy = (operations.data ?? NONE).some(
    (op) => op.branch_id === branch.id && isUnfinished(op),
  );
  const allRows = useMemo(
    () =>
      buildUserRows({
        branchId: branch.id,
        roles: roles.data ?? NONE,
        databases: databases.data ?? NONE,
        tracked,
        operations: operations.data ?? NONE,
      }),
    [branch.id, roles.data, databases.data, tracked, operations.data],
  );
  // Sorted once per data or sort change; typing in search only filters the sorted list.
  const sortedRows = useMemo(() => sortRows(allRows, sort), [allRows, sort]);
  const rows = useMemo(() => filterRows(sortedRows, deferredSearch), [sortedRows, deferredSearch]);
  const isBusy = useCallback(
    (roleName: string) => allRows.some((row) => row.role.name === roleName && row.busy),
    [allRows],
  );

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
            rows={rows}
            sort={sort}
            onSortChange={setSort}
            onConnect={openConnect}
            onDelete={openDelete}
            onReset={openReset}
          />
        )}
      </>
    );
  } else if (roles.error) {
    list = (
      <LoadFailedPanel
        error={roles.error}
        title="Users could not be loaded."
        onRetry={() => void roles.refetch()}
      />
    );
  } else {
    list = <LoadingPanel>Loading users…</LoadingPanel>;
  }

  return (
    <section aria-labelledby="users-title">
      <div className="page-header">
        <div>
          <h1 id="users-title">Users</h1>
          <p className="muted">Postgres roles of branch {branch.name}. The API calls them roles.</p>
        </div>
        <div className="page-actions">
          <Button onClick={(event) => openFrom({ kind: 'connect' }, event.currentTarget)}>
            Connect
          </Button>
          <Button
            ref={newUserRef}
            variant="primary"
            onClick={(event) => openFrom({ kind: 'new' }, event.currentTarget)}
          >
            New User
          </Button>
        </div>
      </div>

      <div className="toolbar">
        <BranchSelect
          id="branch-select"
          branches={branches}
          value={branch.id}
          onChange={onBranchChange}
        />
        <SearchField
          id="user-search"
          label="Search"
          placeholder="Search users by name"
          value={search}
          onChange={setSearch}
          found={
            !roles.data
              ? undefined
              : rows.length === allRows.length
                ? `${allRows.length} users`
                : `${rows.length} of ${allRows.length} users`
          }
        />
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

      <UserDialogs
        dialog={dialog}
        projectId={projectId}
        branch={branch}
        branches={branches}
        busy={isBusy}
        onOperations={onOperations}
        onOpen={setDialog}
        onClose={closeDialog}
        returnFocus={returnFocus}
      />
    </section>
  );
}
