import { describe, expect, it } from 'vitest';
import type { Operation, Role } from '@neon/sdk/raw';
import {
  buildUserRows,
  deleteBlocker,
  filterRows,
  nextSort,
  resetBlocker,
  sortRows,
  trackingKey,
  type UserRow,
} from '@/pages/users/user-rows';

const role = (name: string, created: string, extra: Partial<Role> = {}): Role => ({
  branch_id: 'br-main',
  name,
  created_at: created,
  updated_at: created,
  protected: false,
  ...extra,
});
const op = (id: string, status: Operation['status'], error?: string): Operation =>
  ({ id, status, action: 'apply_config', error }) as Operation;

const roles = [
  role('sally', '2024-01-02T00:00:00Z'),
  role('Bob', '2024-01-03T00:00:00Z'),
  role('bob', '2024-01-01T00:00:00Z'),
  role('web_access', '2024-01-01T00:00:00Z', { protected: true }),
  role('ledger', '2024-01-04T00:00:00Z', { authentication_method: 'no_login' }),
];
const databases = [
  { name: 'neondb', owner_name: 'sally' },
  { name: 'analytics', owner_name: 'sally' },
];

function rows(tracked = {}, operations: Operation[] = []): UserRow[] {
  return buildUserRows({ branchId: 'br-main', roles, databases, tracked, operations });
}
const names = (list: UserRow[]) => list.map((r) => r.role.name);
const byName = (list: UserRow[], name: string) => list.find((r) => r.role.name === name)!;

describe('buildUserRows', () => {
  it('joins owned databases, login ability, and the newest state of tracked operations', () => {
    const tracked = {
      [trackingKey('br-main', 'bob')]: [op('a', 'running')],
      [trackingKey('br-main', 'Bob')]: [op('b', 'running')],
      [trackingKey('br-other', 'sally')]: [op('c', 'running')],
    };
    const list = rows(tracked, [op('b', 'failed', 'compute did not apply the config')]);
    expect(byName(list, 'sally').databases).toEqual(['neondb', 'analytics']);
    expect(byName(list, 'sally').busy).toBe(false);
    expect(byName(list, 'bob').busy).toBe(true);
    expect(byName(list, 'Bob')).toMatchObject({
      busy: false,
      failure: 'compute did not apply the config',
    });
    expect(byName(list, 'ledger').canLogin).toBe(false);
    expect(byName(list, 'bob').canLogin).toBe(true);
  });
});

describe('sort and filter', () => {
  it('sorts names case-insensitively (ties by code unit) and creation time, both ways', () => {
    const list = rows();
    expect(names(sortRows(list, { key: 'name', direction: 'asc' }))).toEqual([
      'Bob',
      'bob',
      'ledger',
      'sally',
      'web_access',
    ]);
    expect(names(sortRows(list, { key: 'name', direction: 'desc' }))[0]).toBe('web_access');
    // Same instant: A→Z whichever the direction.
    expect(names(sortRows(list, { key: 'created', direction: 'desc' }))).toEqual([
      'ledger',
      'Bob',
      'sally',
      'bob',
      'web_access',
    ]);
    expect(names(list)).toEqual(names(rows()));
  });

  it('filters by a case-insensitive substring; blank keeps all', () => {
    const list = rows();
    expect(names(filterRows(list, ' BO '))).toEqual(['Bob', 'bob']);
    expect(filterRows(list, '  ')).toBe(list);
    expect(filterRows(list, 'zzz')).toEqual([]);
  });

  it.each([
    ['name', 'asc', 'name', 'desc'],
    ['name', 'desc', 'name', 'asc'],
    ['name', 'asc', 'created', 'desc'],
    ['created', 'desc', 'name', 'asc'],
  ] as const)(
    'nextSort from %s %s, on %s: %s (the active column flips; a new one starts A→Z or newest first)',
    (key, direction, clicked, expected) => {
      expect(nextSort({ key, direction }, clicked)).toEqual({ key: clicked, direction: expected });
    },
  );
});

describe('why an action is unavailable', () => {
  it('names the owned databases, protects system users, and gives no_login roles no reset', () => {
    const list = rows({ [trackingKey('br-main', 'bob')]: [op('a', 'running')] });
    expect(deleteBlocker(byName(list, 'sally'))).toBe(
      'sally owns databases neondb, analytics: delete or reassign them first.',
    );
    expect(deleteBlocker(byName(list, 'web_access'))).toMatch(/protected system user/);
    expect(resetBlocker(byName(list, 'web_access'))).toMatch(/protected system user/);
    expect(resetBlocker(byName(list, 'ledger'))).toBe(
      'ledger cannot log in, so it has no password to reset.',
    );
    expect(deleteBlocker(byName(list, 'ledger'))).toBeNull();
    // A change still being applied blocks nothing: the request waits for it instead.
    expect(deleteBlocker(byName(list, 'bob'))).toBeNull();
    expect(resetBlocker(byName(list, 'bob'))).toBeNull();
  });
});
