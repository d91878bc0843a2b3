import {
  memo,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type MouseEvent,
  type RefObject,
} from 'react';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import type { Role } from '@neon/sdk/raw';
import { Button } from '@/components/ui/button';
import {
  deleteBlocker,
  nextSort,
  resetBlocker,
  type Sort,
  type SortKey,
  type UserRow,
} from '@/pages/users/user-rows';

interface UsersTableProps {
  branchName: string;
  rows: UserRow[];
  sort: Sort;
  onSortChange: (sort: Sort) => void;
  onConnect: (role: Role, opener: HTMLElement) => void;
  onDelete: (role: Role, opener: HTMLElement) => void;
  onReset: (role: Role, opener: HTMLElement) => void;
}

// Rows have a fixed height (styles.css): no per-row measuring, so scrolling through
// 10,000 users only swaps a few dozen cheap rows. Narrow screens stack a row in four lines.
const ROW_HEIGHT = 57;
const ROW_HEIGHT_NARROW = 128;
const NARROW = '(max-width: 720px)';

function subscribeNarrow(onChange: () => void) {
  const query = window.matchMedia?.(NARROW);
  query?.addEventListener('change', onChange);
  return () => query?.removeEventListener('change', onChange);
}
const isNarrow = () => window.matchMedia?.(NARROW).matches ?? false;

/**
 * The element's distance from the top of the document, kept current: measured on each
 * render of the table, and by a ResizeObserver when the page around it moves it (banners
 * above it come and go, fonts load, the window resizes) without rendering the table.
 * Undefined until first measured, which happens before the first paint.
 */
function useOffsetTop(ref: RefObject<HTMLElement | null>): number | undefined {
  const [top, setTop] = useState<number>();
  const measure = useCallback(() => {
    const element = ref.current;
    if (element) setTop(Math.round(element.getBoundingClientRect().top + window.scrollY));
  }, [ref]);
  // Every render: a state that bails out when unchanged, so this costs one layout read.
  useLayoutEffect(measure);
  useEffect(() => {
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(document.body);
    return () => observer.disconnect();
  }, [measure]);
  return top;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

// Memoised: opening a dialog re-renders the section, not the list (the ResizeObserver above
// still follows anything that moves it).
export const UsersTable = memo(function UsersTable({
  branchName,
  rows,
  sort,
  onSortChange,
  onConnect,
  onDelete,
  onReset,
}: UsersTableProps) {
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const offsetTop = useOffsetTop(bodyRef);
  const scrollMargin = offsetTop ?? 0;

  // Rows are virtualised against the window so 10,000 users paint as fast as 10.
  const rowHeight = useSyncExternalStore(subscribeNarrow, isNarrow)
    ? ROW_HEIGHT_NARROW
    : ROW_HEIGHT;
  const virtualizer = useWindowVirtualizer({
    // No rows until the table's place is known: rows rendered and laid out for a wrong place
    // would be replaced before the first paint anyway.
    count: offsetTop === undefined ? 0 : rows.length,
    estimateSize: () => rowHeight,
    // Enough below the window for Tab to reach the next row (which scrolls it into view);
    // each one more is more to render whenever the list changes (a keystroke in search).
    overscan: 4,
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
          onClick={() => onSortChange(nextSort(sort, key))}
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
            onConnect={onConnect}
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
});

interface UserTableRowProps {
  index: number;
  row: UserRow;
  onConnect: (role: Role, opener: HTMLElement) => void;
  onDelete: (role: Role, opener: HTMLElement) => void;
  onReset: (role: Role, opener: HTMLElement) => void;
}

// Memoised: a scroll re-renders the table, but only rows entering the window render anew.
const UserTableRow = memo(function UserTableRow({
  index,
  row,
  onConnect,
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
          {row.canLogin ? null : (
            <span className="badge" title="A role without a password (no_login)">
              Cannot log in
            </span>
          )}{' '}
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
            aria-label={`Connect as ${role.name}`}
            onClick={(event) => onConnect(role, event.currentTarget)}
          >
            Connect
          </Button>
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
