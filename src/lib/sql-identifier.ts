// Words Postgres reserves even as role names (a subset of the "reserved" column of
// https://www.postgresql.org/docs/current/sql-keywords-appendix.html); a user called
// `user` works but must be written "user" in SQL.
const RESERVED_KEYWORDS = new Set([
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both',
  'case', 'cast', 'check', 'collate', 'column', 'constraint', 'create', 'current_catalog',
  'current_date', 'current_role', 'current_time', 'current_timestamp', 'current_user',
  'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false',
  'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially',
  'intersect', 'into', 'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not',
  'null', 'offset', 'on', 'only', 'or', 'order', 'placing', 'primary', 'references',
  'returning', 'select', 'session_user', 'some', 'symmetric', 'system_user', 'table',
  'then', 'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when',
  'where', 'window', 'with',
]);

const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/;

/** True when SQL would fold or reject the name unless it is double-quoted. */
export function needsQuoting(name: string): boolean {
  return !PLAIN_IDENTIFIER.test(name) || RESERVED_KEYWORDS.has(name);
}

/** The name as SQL must spell it: bare when it can be, else double-quoted with `"` doubled. */
export function quoteIdentifier(name: string): string {
  return needsQuoting(name) ? `"${name.replaceAll('"', '""')}"` : name;
}
