/**
 * Connection strings as Neon's console gives them: `postgresql://user:password@host/db`
 * with `sslmode=require&channel_binding=require`, in the formats its Connect dialog offers.
 */
export interface ConnectionDetails {
  /** The endpoint's host as the API reports it; a local compute's includes `:port`. */
  host: string;
  database: string;
  user: string;
  password: string;
}

const SSL_PARAMS = 'sslmode=require&channel_binding=require';

/**
 * Neon's pooled (PgBouncer) host: the endpoint id with `-pooler` appended. A host without
 * the id (a local compute, `127.0.0.1:port`) has no pooler and stays as it is.
 */
export function poolerHost(host: string, endpointId: string): string {
  return host.replace(endpointId, `${endpointId}-pooler`);
}

/** `host[:port]` → its parts, for clients that take them separately (PGHOST, PGPORT). */
export function splitHost(host: string): { hostname: string; port: string } {
  const match = /^(.*):(\d+)$/.exec(host);
  return match ? { hostname: match[1], port: match[2] } : { hostname: host, port: '5432' };
}

// encodeURIComponent leaves ' ! ( ) * alone; ' would need quoting in every shell snippet.
const encode = (part: string) =>
  encodeURIComponent(part).replace(
    /['!()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

export function connectionUrl({ host, database, user, password }: ConnectionDetails): string {
  return `postgresql://${encode(user)}:${encode(password)}@${host}/${encode(database)}?${SSL_PARAMS}`;
}

/** A POSIX shell word: single quotes take everything literally; `'` itself is `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
