/**
 * The rules a role or database name must follow, checked in one order: the console checks them
 * as the user types, the local server refuses with them. Imports nothing, so both the browser
 * (src/) and Node (server/) can use it while neither imports the other.
 */

/** Postgres's identifier limit (NAMEDATALEN - 1), in bytes of UTF-8, not characters. */
export const MAX_NAME_BYTES = 63;

const RESERVED_ROLE_NAMES = new Set([
  'neon_superuser',
  'cloud_admin',
  'zenith_admin',
  'public',
  'none',
]);
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
// A lone half of a UTF-16 pair (JSON's "\ud800") has no UTF-8 form: stored, it would become U+FFFD.
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const encoder = new TextEncoder();

/** Postgres limits identifiers by bytes, not characters, so "é" counts twice. */
export function utf8ByteLength(text: string): number {
  return encoder.encode(text).length;
}

export type NameProblem =
  | { kind: 'required' }
  | { kind: 'blank' }
  | { kind: 'control-character' }
  | { kind: 'unpaired-surrogate' }
  | { kind: 'too-long'; bytes: number };

export type RoleNameProblem =
  NameProblem | { kind: 'reserved-prefix' } | { kind: 'reserved' } | { kind: 'dot-segment' };

function nameProblem(name: string): NameProblem | null {
  if (name.length === 0) return { kind: 'required' };
  if (name.trim().length === 0) return { kind: 'blank' };
  if (CONTROL_CHARACTER.test(name)) return { kind: 'control-character' };
  if (UNPAIRED_SURROGATE.test(name)) return { kind: 'unpaired-surrogate' };
  const bytes = utf8ByteLength(name);
  if (bytes > MAX_NAME_BYTES) return { kind: 'too-long', bytes };
  return null;
}

/**
 * The first rule a role name breaks, or null. The console runs it on every keystroke, so it
 * stays cheap.
 */
export function roleNameProblem(name: string): RoleNameProblem | null {
  const problem = nameProblem(name);
  if (problem) return problem;
  if (name.startsWith('pg_')) return { kind: 'reserved-prefix' };
  if (RESERVED_ROLE_NAMES.has(name)) return { kind: 'reserved' };
  // A URL treats these as "this folder" and "the folder above": no API path could name them.
  if (name === '.' || name === '..') return { kind: 'dot-segment' };
  return null;
}

/** The first rule a database name breaks, or null. */
export function databaseNameProblem(name: string): NameProblem | null {
  return nameProblem(name);
}

/** The words the server refuses a name with (the console has its own, in src/lib/role-name.ts). */
export function nameRefusal(
  what: 'role' | 'database',
  problem: RoleNameProblem,
  name: string,
): string {
  switch (problem.kind) {
    case 'required':
      return `${what} name must not be empty`;
    case 'blank':
      return what === 'role'
        ? 'role name must not be only white space'
        : 'database name must not be empty';
    case 'control-character':
      return `${what} name must not contain control characters`;
    case 'unpaired-surrogate':
      return `${what} name must be valid Unicode (it has an unpaired surrogate)`;
    case 'too-long':
      return `${what} name is ${problem.bytes} bytes long; the limit is ${MAX_NAME_BYTES} bytes`;
    case 'reserved-prefix':
    case 'reserved':
      return `${what} name ${JSON.stringify(name)} is reserved`;
    case 'dot-segment':
      return `${what} name ${JSON.stringify(name)} cannot be used in a URL path`;
  }
}
