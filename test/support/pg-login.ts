/**
 * Logging in to a compute as an application would, with the `pg` driver: TLS on (the
 * certificate is self-signed), SCRAM with channel binding. Used by the tests, the crash
 * driver and the bench; no test runner needed.
 */
import pg from 'pg';

/** `host` is the endpoint's `127.0.0.1:port`. */
export interface Login {
  host: string;
  user: string;
  password: string;
  database: string;
}

/** A client for the login, not yet connected. A session the server ends fails its query, not the process. */
export function pgClient(
  { host, user, password, database }: Login,
  connectTimeoutMs = 30_000,
): pg.Client {
  const [hostname, port] = host.split(':');
  const client = new pg.Client({
    host: hostname,
    port: Number(port),
    user,
    password,
    database,
    ssl: { rejectUnauthorized: false },
    enableChannelBinding: true,
    connectionTimeoutMillis: connectTimeoutMs,
  });
  client.on('error', () => {});
  return client;
}

/** The client once connected; a client that could not connect is ended, not left open. */
export async function connected(client: pg.Client): Promise<pg.Client> {
  await client.connect().catch(async (error: unknown) => {
    await client.end().catch(() => {});
    throw error;
  });
  return client;
}

/** Runs one query as the login. */
export async function query<T extends pg.QueryResultRow = pg.QueryResultRow>(
  login: Login,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = pgClient(login);
  try {
    await client.connect();
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** undefined when the login works; else the SQLSTATE (or Node's code, or `none`) and message. */
export async function tryLogin(
  login: Login,
): Promise<{ code: string; message: string } | undefined> {
  try {
    await query(login, 'SELECT 1');
    return undefined;
  } catch (error) {
    const err = error as { code?: string; message: string };
    return { code: err.code ?? 'none', message: err.message };
  }
}

/** The login's error message, or undefined when it logs in. */
export async function loginError(login: Login): Promise<string | undefined> {
  return (await tryLogin(login))?.message;
}
