import {
  MAX_NAME_BYTES,
  roleNameProblem as ruleBroken,
  type RoleNameProblem,
} from '../../rules/names.ts';

/** A rule of rules/names.ts the name breaks, or a user of that name already on the branch. */
export type NewRoleNameProblem = RoleNameProblem | { kind: 'duplicate' };

/**
 * The first reason Neon would refuse this name, or null. Checked on every keystroke, so it
 * must stay cheap: `existing` is a Set built once per roles list.
 */
export function roleNameProblem(
  name: string,
  existing: ReadonlySet<string>,
): NewRoleNameProblem | null {
  return ruleBroken(name) ?? (existing.has(name) ? { kind: 'duplicate' } : null);
}

export function describeRoleNameProblem(
  problem: NewRoleNameProblem,
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
    case 'unpaired-surrogate':
      return 'The name contains an incomplete character (half of an emoji or other symbol).';
    case 'too-long':
      return `The name is ${problem.bytes} bytes; the limit is ${MAX_NAME_BYTES} bytes.`;
    case 'reserved-prefix':
      return 'Names starting with "pg_" are reserved by Postgres.';
    case 'reserved':
      return `"${name}" is a reserved name.`;
    case 'dot-segment':
      return `"${name}" cannot be used as a name.`;
    case 'duplicate':
      return `A user named "${name}" already exists on branch ${branchName}.`;
  }
}
