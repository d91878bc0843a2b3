import { z } from 'zod';

const RESERVED_NAMES = new Set(['neon_superuser', 'cloud_admin', 'zenith_admin', 'public', 'none']);
export const MAX_NAME_BYTES = 63;
// A lone half of a UTF-16 pair (JSON's "\ud800") has no UTF-8 form: stored, it would become U+FFFD.
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Postgres identifiers for roles: 1–63 bytes of UTF-8, no control characters, not reserved. */
export function roleNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'role name must not be empty';
  if (name.trim().length === 0) return 'role name must not be only white space';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'role name must not contain control characters';
  if (UNPAIRED_SURROGATE.test(name))
    return 'role name must be valid Unicode (it has an unpaired surrogate)';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_NAME_BYTES)
    return `role name is ${bytes} bytes long; the limit is ${MAX_NAME_BYTES} bytes`;
  if (name.startsWith('pg_') || RESERVED_NAMES.has(name))
    return `role name ${JSON.stringify(name)} is reserved`;
  // URLs treat these as dot segments, so no client could address such a role afterwards.
  if (name === '.' || name === '..')
    return `role name ${JSON.stringify(name)} cannot be used in a URL path`;
  return undefined;
}

export function databaseNameProblem(name: string): string | undefined {
  if (name.trim().length === 0) return 'database name must not be empty';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name))
    return 'database name must not contain control characters';
  if (UNPAIRED_SURROGATE.test(name))
    return 'database name must be valid Unicode (it has an unpaired surrogate)';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_NAME_BYTES)
    return `database name is ${bytes} bytes long; the limit is ${MAX_NAME_BYTES} bytes`;
  return undefined;
}

export const roleName = z.string().superRefine((name, ctx) => {
  const problem = roleNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const databaseName = z.string().superRefine((name, ctx) => {
  const problem = databaseNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
