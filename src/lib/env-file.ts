export interface ConnectionDetails {
  host: string;
  port?: number;
  database: string;
  user: string;
  password: string;
}

/**
 * Single-quote for POSIX shells and most dotenv readers: nothing is special inside single
 * quotes, and a `'` itself is written as `'\''` (close, escaped quote, reopen).
 */
export function quoteEnvValue(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function connectionUrl({
  host,
  port = 5432,
  database,
  user,
  password,
}: ConnectionDetails): string {
  const enc = encodeURIComponent;
  return `postgresql://${enc(user)}:${enc(password)}@${host}:${port}/${enc(database)}?sslmode=require`;
}

/** The `.env` file offered next to a one-time password. */
export function buildEnvFile(details: ConnectionDetails): string {
  const entries: Array<[string, string]> = [
    ['PGHOST', details.host],
    ['PGPORT', String(details.port ?? 5432)],
    ['PGDATABASE', details.database],
    ['PGUSER', details.user],
    ['PGPASSWORD', details.password],
    ['DATABASE_URL', connectionUrl(details)],
  ];
  return entries.map(([key, value]) => `${key}=${quoteEnvValue(value)}\n`).join('');
}
