import { z } from 'zod';
import { databaseNameProblem, nameRefusal, roleNameProblem } from '../../rules/names.ts';

/** The name rules (rules/names.ts) as zod schemas: a broken rule is refused with its words. */
function nameSchema(what: 'role' | 'database', problemOf: typeof roleNameProblem) {
  return z.string().superRefine((name, ctx) => {
    const problem = problemOf(name);
    if (problem) ctx.addIssue({ code: 'custom', message: nameRefusal(what, problem, name) });
  });
}

export const roleName = nameSchema('role', roleNameProblem);
export const databaseName = nameSchema('database', databaseNameProblem);

/** Why a database name is refused, in the server's words, or undefined. */
export function databaseNameRefusal(name: string): string | undefined {
  const problem = databaseNameProblem(name);
  return problem ? nameRefusal('database', problem, name) : undefined;
}
