import { utf8ByteLength } from '@/lib/utf8';

export const ROLE_NAME_MAX_BYTES = 63;

const RESERVED_NAMES = new Set(['neon_superuser', 'cloud_admin', 'zenith_admin', 'public', 'none']);

export type RoleNameProblem =
  | { kind: 'required' }
  | { kind: 'blank' }
  | { kind: 'control-character' }
  | { kind: 'dot-segment' }
  | { kind: 'too-long'; bytes: number }
  | { kind: 'reserved-prefix' }
  | { kind: 'reserved' }
  | { kind: 'duplicate' };

/**
 * The first reason Neon would refuse this name, or null. Checked on every keystroke, so it
 * must stay cheap: `existing` is a Set built once per roles list.
 */
export function roleNameProblem(
  name: string,
  existing: ReadonlySet<string>,
): RoleNameProblem | null {
  if (name.length === 0) return { kind: 'required' };
  if (name.trim().length === 0) return { kind: 'blank' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return { kind: 'control-character' };
  // A URL treats these as "this folder" and "the folder above": no API path could name them.
  if (name === '.' || name === '..') return { kind: 'dot-segment' };
  const bytes = utf8ByteLength(name);
  if (bytes > ROLE_NAME_MAX_BYTES) return { kind: 'too-long', bytes };
  if (name.startsWith('pg_')) return { kind: 'reserved-prefix' };
  if (RESERVED_NAMES.has(name)) return { kind: 'reserved' };
  if (existing.has(name)) return { kind: 'duplicate' };
  return null;
}

export function describeRoleNameProblem(
  problem: RoleNameProblem,
  name: string,
  branchName: string,
): string {
  switch (problem.kind) {
    case 'required':
      return 'Enter a name.';
    case 'blank':
      return 'The name cannot be only spaces.';
    case 'control-character':
      return 'The name cannot contain control characters such as tabs or line breaks.';
    case 'dot-segment':
      return `"${name}" cannot be used as a name.`;
    case 'too-long':
      return `The name is ${problem.bytes} bytes; the limit is ${ROLE_NAME_MAX_BYTES} bytes.`;
    case 'reserved-prefix':
      return 'Names starting with "pg_" are reserved by Postgres.';
    case 'reserved':
      return `"${name}" is a reserved name.`;
    case 'duplicate':
      return `A user named "${name}" already exists on branch ${branchName}.`;
  }
}
