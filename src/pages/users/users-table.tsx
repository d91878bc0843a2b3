import {
  memo,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type MouseEvent,
} from 'react';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import type { Role } from '@neon/sdk/raw';
import { Button } from '@/components/ui/button';

export type SortKey = 'name' | 'created';
export interface Sort {
  key: SortKey;
  direction: 'asc' | 'desc';
}

export interface UserRow {
  role: Role;
  /** Lower-cased name and creation time, computed once so search and sort stay instant over thousands of rows. */
  searchKey: string;
  createdMs: number;
  databases: string[];
  busy: boolean;
  failure?: string;
}

interface UsersTableProps {
  branchName: string;
  /** Changes whenever something above the table appears or disappears. */
  layoutKey: string;
  rows: UserRow[];
  sort: Sort;
  onSortChange: (sort: Sort) => void;
  onDelete: (role: Role, opener: HTMLElement) => void;
  onReset: (role: Role, opener: HTMLElement) => void;
}

// Rows have a fixed height (styles.css): no per-row measuring, so scrolling through
// 10,000 users only swaps a few dozen cheap rows. Narrow screens stack a row in three lines.
const ROW_HEIGHT = 57;
const ROW_HEIGHT_NARROW = 100;
const NARROW = '(max-width: 720px)';

function subscribeNarrow(onChange: () => void) {
  const query = window.matchMedia?.(NARROW);
  query?.addEventListener('change', onChange);
  return () => query?.removeEventListener('change', onChange);
}
const isNarrow = () => window.matchMedia?.(NARROW).matches ?? false;

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Why a row's action is unavailable, or null when it can be used. */
export function deleteBlocker(row: UserRow): string | null {
  if (row.role.protected)
    return `${row.role.name} is a protected system user: it cannot be deleted.`;
  if (row.databases.length > 0) {
    const list = row.databases.join(', ');
    return `${row.role.name} owns ${row.databases.length === 1 ? 'database' : 'databases'} ${list}: delete or reassign ${row.databases.length === 1 ? 'it' : 'them'} first.`;
  }
  if (row.busy) return 'Changes to this user are still being applied.';
  return null;
}

export function resetBlocker(row: UserRow): string | null {
  if (row.role.protected)
    return `${row.role.name} is a protected system user: its password cannot be reset.`;
  if (row.busy) return 'Changes to this user are still being applied.';
  return null;
}

export function UsersTable({
  branchName,
  layoutKey,
  rows,
  sort,
  onSortChange,
  onDelete,
  onReset,
}: UsersTableProps) {
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  // Banners above the table (operations, errors) come and go: `layoutKey` says when.
  useLayoutEffect(() => {
    const top = Math.round((bodyRef.current?.getBoundingClientRect().top ?? 0) + window.scrollY);
    setScrollMargin(top);
  }, [layoutKey]);

  // Rows are virtualised against the window so 10,000 users paint as fast as 10.
  const rowHeight = useSyncExternalStore(subscribeNarrow, isNarrow)
    ? ROW_HEIGHT_NARROW
    : ROW_HEIGHT;
  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    estimateSize: () => rowHeight,
    overscan: 12,
    scrollMargin,
    getItemKey: (index) => rows[index].role.name,
  });
  useEffect(() => virtualizer.measure(), [rowHeight, virtualizer]);
  const items = virtualizer.getVirtualItems();
  const paddingTop = items.length > 0 ? items[0].start - scrollMargin : 0;
  const paddingBottom =
    items.length > 0
      ? virtualizer.getTotalSize() - (items[items.length - 1].end - scrollMargin)
      : 0;

  const header = (key: SortKey, label: string) => {
    const active = sort.key === key;
    const ariaSort = active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none';
    return (
      <th scope="col" aria-sort={ariaSort} className={`col-${key}`}>
        <button
          type="button"
          className="sort-button"
          onClick={() =>
            onSortChange({
              key,
              direction:
                active && sort.direction === 'asc'
                  ? 'desc'
                  : active
                    ? 'asc'
                    : key === 'created'
                      ? 'desc'
                      : 'asc',
            })
          }
        >
          {label}
          <span aria-hidden="true" className="sort-mark">
            {active ? (sort.direction === 'asc' ? '▲' : '▼') : '↕'}
          </span>
        </button>
      </th>
    );
  };

  return (
    <table className="users-table" aria-rowcount={rows.length + 1}>
      <caption className="sr-only">Users on branch {branchName}</caption>
      <thead>
        <tr aria-rowindex={1}>
          {header('name', 'Name')}
          {header('created', 'Created')}
          <th scope="col" className="col-dbs">
            Databases owned
          </th>
          <th scope="col" className="col-actions">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody ref={bodyRef}>
        {paddingTop > 0 ? (
          <tr aria-hidden="true" className="spacer">
            <td colSpan={4} style={{ height: paddingTop }} />
          </tr>
        ) : null}
        {items.map((item) => (
          <UserTableRow
            key={item.key}
            index={item.index}
            row={rows[item.index]}
            onDelete={onDelete}
            onReset={onReset}
          />
        ))}
        {paddingBottom > 0 ? (
          <tr aria-hidden="true" className="spacer">
            <td colSpan={4} style={{ height: paddingBottom }} />
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}

interface UserTableRowProps {
  index: number;
  row: UserRow;
  onDelete: (role: Role, opener: HTMLElement) => void;
  onReset: (role: Role, opener: HTMLElement) => void;
}

// Memoised: a scroll re-renders the table, but only rows entering the window render anew.
const UserTableRow = memo(function UserTableRow({
  index,
  row,
  onDelete,
  onReset,
}: UserTableRowProps) {
  const id = useId();
  const { role } = row;
  const deleteReason = deleteBlocker(row);
  const resetReason = resetBlocker(row);
  // aria-disabled rather than disabled keeps the button focusable, so keyboard and
  // screen-reader users can still reach it and hear why it is unavailable.
  const guard =
    (reason: string | null, action: (role: Role, opener: HTMLElement) => void) =>
    (event: MouseEvent<HTMLButtonElement>) => {
      if (!reason) action(role, event.currentTarget);
    };

  return (
    <tr
      data-index={index}
      aria-rowindex={index + 2}
      aria-busy={row.busy || undefined}
      className="user-row"
    >
      <th scope="row" className="col-name">
        <div className="name-line">
          <span className="role-name" title={role.name}>
            {role.name}
          </span>{' '}
          {role.protected ? (
            <span className="badge" title="Managed by Neon">
              Protected
            </span>
          ) : null}{' '}
          {row.busy ? (
            <span className="badge badge-progress" role="status">
              <span className="spinner" aria-hidden="true" /> Applying changes…
            </span>
          ) : null}{' '}
          {row.failure ? (
            <span className="badge badge-danger" role="status" title={row.failure}>
              Last change failed: {row.failure}
            </span>
          ) : null}
        </div>
      </th>
      <td className="col-created">
        <time dateTime={role.created_at}>{dateFormat.format(new Date(role.created_at))}</time>
      </td>
      <td className="col-dbs" title={row.databases.join(', ') || undefined}>
        {row.databases.length > 0 ? row.databases.join(', ') : <span className="muted">—</span>}
      </td>
      <td className="col-actions">
        <div className="row-actions">
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Reset password of ${role.name}`}
            aria-disabled={resetReason ? true : undefined}
            aria-describedby={resetReason ? `${id}-reset` : undefined}
            title={resetReason ?? undefined}
            onClick={guard(resetReason, onReset)}
          >
            Reset password
          </Button>
          <Button
            size="sm"
            variant="ghost"
            className="btn-danger-text"
            aria-label={`Delete user ${role.name}`}
            aria-disabled={deleteReason ? true : undefined}
            aria-describedby={deleteReason ? `${id}-delete` : undefined}
            title={deleteReason ?? undefined}
            onClick={guard(deleteReason, onDelete)}
          >
            Delete
          </Button>
          {resetReason ? (
            <span id={`${id}-reset`} className="sr-only">
              {resetReason}
            </span>
          ) : null}
          {deleteReason ? (
            <span id={`${id}-delete`} className="sr-only">
              {deleteReason}
            </span>
          ) : null}
        </div>
      </td>
    </tr>
  );
});
