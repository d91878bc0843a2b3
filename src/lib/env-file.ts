import { connectionUrl, splitHost, type ConnectionDetails } from '@/lib/connection-strings';

// Characters a POSIX shell treats specially inside double quotes.
const SHELL_DOUBLE_QUOTE_SPECIAL = /["$`\\]/;

/**
 * Whether `quoteEnvValue(value)` reads back unchanged in every reader we test against:
 * POSIX `sh` (`. ./.env`), Node's `util.parseEnv` and the `dotenv` package. Only a value
 * holding both `'` and one of `"` `$` `` ` `` `\` is not: no quoting serves all three then
 * (the dotenv readers have no escape inside single quotes, and keep backslashes inside
 * double quotes, where the shell needs them), so it is written for the shell alone.
 */
export function isPortableEnvValue(value: string): boolean {
  return !value.includes("'") || !SHELL_DOUBLE_QUOTE_SPECIAL.test(value);
}

/**
 * Single quotes (nothing inside is special to any reader), or double quotes for a value
 * with a `'` and nothing the shell would expand; else the shell's `'\''` form.
 */
export function quoteEnvValue(value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!SHELL_DOUBLE_QUOTE_SPECIAL.test(value)) return `"${value}"`;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function envEntries(details: ConnectionDetails): Array<[string, string]> {
  const { hostname, port } = splitHost(details.host);
  return [
    ['PGHOST', hostname],
    ['PGPORT', port],
    ['PGDATABASE', details.database],
    ['PGUSER', details.user],
    ['PGPASSWORD', details.password],
    ['PGSSLMODE', 'require'],
    ['PGCHANNELBINDING', 'require'],
    ['DATABASE_URL', connectionUrl(details)],
  ];
}

/** The `.env` file offered next to a password: libpq's variables and the URL. */
export function buildEnvFile(details: ConnectionDetails): string {
  return envEntries(details)
    .map(([key, value]) => `${key}=${quoteEnvValue(value)}\n`)
    .join('');
}
