import { describe, expect, it } from 'vitest';
import { describeRoleNameProblem, roleNameProblem } from '@/lib/role-name';

const existing = new Set(['sally', 'web_access']);

describe('roleNameProblem', () => {
  it('accepts a fresh name, quoted or not', () => {
    expect(roleNameProblem('casey2', existing)).toBeNull();
    expect(roleNameProblem('My User', existing)).toBeNull();
  });

  it('requires a name', () => {
    expect(roleNameProblem('', existing)).toEqual({ kind: 'required' });
  });

  it('limits the name to 63 bytes, not characters', () => {
    expect(roleNameProblem('a'.repeat(63), existing)).toBeNull();
    expect(roleNameProblem('a'.repeat(64), existing)).toEqual({ kind: 'too-long', bytes: 64 });
    // 32 two-byte characters are 64 bytes although only 32 characters.
    expect(roleNameProblem('é'.repeat(32), existing)).toEqual({ kind: 'too-long', bytes: 64 });
  });

  it('refuses names the API refuses: only spaces, control characters, dot segments', () => {
    expect(roleNameProblem('   ', existing)).toEqual({ kind: 'blank' });
    expect(roleNameProblem('a\tb', existing)).toEqual({ kind: 'control-character' });
    expect(roleNameProblem('a\u0000', existing)).toEqual({ kind: 'control-character' });
    expect(roleNameProblem('..', existing)).toEqual({ kind: 'dot-segment' });
    expect(roleNameProblem('.', existing)).toEqual({ kind: 'dot-segment' });
    expect(roleNameProblem('a.b', existing)).toBeNull();
  });

  it('refuses reserved names and the pg_ prefix', () => {
    expect(roleNameProblem('pg_monitor2', existing)).toEqual({ kind: 'reserved-prefix' });
    for (const name of ['neon_superuser', 'cloud_admin', 'zenith_admin', 'public', 'none']) {
      expect(roleNameProblem(name, existing)).toEqual({ kind: 'reserved' });
    }
  });

  it('refuses a name already on the branch', () => {
    expect(roleNameProblem('sally', existing)).toEqual({ kind: 'duplicate' });
    expect(describeRoleNameProblem({ kind: 'duplicate' }, 'sally', 'main')).toBe(
      'A user named "sally" already exists on branch main.',
    );
  });
});
