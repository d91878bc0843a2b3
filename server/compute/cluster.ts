import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { ComputeLayout } from './compute-layout.ts';
import { ADMIN_ROLE, initCluster, readAdminPassword } from './cluster-init.ts';
import { writeComputeConfig } from './postgres-config.ts';
import { Postmaster, PostmasterError, logSince, takeOverDataDir } from './postmaster.ts';
import { ensureCertificate } from './tls.ts';
import { freePort } from './free-port.ts';

export type ClusterEvent =
  | { type: 'started'; ms: number; port: number }
  | { type: 'stopped' }
  | { type: 'crashed'; code: number | null }
  | { type: 'took-over'; found: 'stale-pid-file' | 'stopped-running-postmaster' };

/**
 * Starts tried before giving up on a port taken meanwhile or the shared memory of a
 * postmaster killed a moment ago (its backends hold it until they notice, which took over
 * 600 ms at load 11): 200 ms more between each, at most 1 s, about 5 s in all.
 */
const START_ATTEMPTS = 8;
/** SQLSTATE 53300: every connection slot taken. */
const TOO_MANY_CONNECTIONS = '53300';
/** Twice Postgres's authentication_timeout: by then every login holding a slot has ended. */
const BUSY_WAIT_MS = 20_000;
/** How long the admin session outlives its last use: a burst of changes shares it. */
const KEEP_SESSION_MS = 2_000;

/**
 * One branch's PostgreSQL cluster: its data directory and, while it runs, its postmaster on
 * an internal port chosen at each start. Start and stop are serialised, so concurrent
 * callers (a connection waking it, an apply, a suspend) see one consistent state. A
 * postmaster that dies on its own (kill -9, crash) is noticed and restarted by the next start.
 */
export class Cluster {
  private postmaster: Postmaster | undefined;
  private lifecycle: Promise<unknown> = Promise.resolve();
  private cert: string | undefined;
  private logOffset = 0;
  /**
   * The admin session on `postgres` kept open between uses, for the postmaster that served
   * it: a new one costs ≈ 20 ms (TLS, SCRAM, a backend's cold caches), which every apply
   * would otherwise pay. A session whose use failed, or whose connection ended, is not kept;
   * nor one on a user's database, where it would stand in the way of DROP DATABASE. Unused
   * for KEEP_SESSION_MS it is closed, so an idle compute holds no backend of ours.
   */
  private readonly idleSessions = new Map<
    string,
    { client: pg.Client; postmaster: Postmaster; timer: NodeJS.Timeout }
  >();
  private readonly endedSessions = new WeakSet<pg.Client>();

  constructor(
    readonly layout: ComputeLayout,
    private readonly onEvent: (event: ClusterEvent) => void = () => {},
  ) {}

  exists(): boolean {
    return fs.existsSync(path.join(this.layout.pgdata, 'PG_VERSION'));
  }

  get running(): boolean {
    return this.postmaster?.running ?? false;
  }

  /** The internal port while running. */
  get port(): number | undefined {
    return this.running ? this.postmaster!.port : undefined;
  }

  get pid(): number | undefined {
    return this.running ? this.postmaster!.pid : undefined;
  }

  /** Settles when the running postmaster exits (and this cluster knows it has). */
  get exited(): Promise<unknown> | undefined {
    return this.running ? this.postmaster!.exited : undefined;
  }

  async init(): Promise<void> {
    await this.serialised(() => initCluster(this.layout));
  }

  /** Starts Postgres unless it runs; resolves with its internal port. */
  start(options: { readyTimeoutMs?: number } = {}): Promise<number> {
    if (this.running) return Promise.resolve(this.postmaster!.port);
    return this.serialised(async () => {
      if (this.running) return this.postmaster!.port;
      if (!this.exists()) throw new Error(`No cluster at ${this.layout.pgdata}`);
      const found = await takeOverDataDir(this.layout.pgdata);
      if (found !== 'none') this.onEvent({ type: 'took-over', found });
      writeComputeConfig(this.layout.pgdata);
      this.logOffset = fs.existsSync(this.layout.logFile)
        ? fs.statSync(this.layout.logFile).size
        : 0;
      this.cert = await ensureCertificate(this.layout.pgdata);
      const began = Date.now();
      let lastError: unknown;
      for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
        try {
          const postmaster = await Postmaster.start({
            pgdata: this.layout.pgdata,
            port: await freePort(),
            logFile: this.layout.logFile,
            readyTimeoutMs: options.readyTimeoutMs,
          });
          this.postmaster = postmaster;
          void postmaster.exited.then((code) => {
            if (this.postmaster !== postmaster) return;
            this.postmaster = undefined;
            this.closeIdleSessions();
            this.onEvent({ type: 'crashed', code });
          });
          this.onEvent({ type: 'started', ms: Date.now() - began, port: postmaster.port });
          return postmaster.port;
        } catch (error) {
          lastError = error;
          // Worth another try: the port was taken meanwhile, or the backends of a postmaster
          // killed a moment ago still hold its shared memory.
          const message = String((error as Error).message);
          if (
            !/could not bind|Address already in use|shared memory block is still in use/.test(
              message,
            )
          ) {
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, Math.min(200 * attempt, 1_000)));
        }
      }
      throw lastError instanceof PostmasterError
        ? lastError
        : new PostmasterError(String(lastError));
    });
  }

  stop(): Promise<void> {
    return this.serialised(async () => {
      const postmaster = this.postmaster;
      if (!postmaster?.running) return;
      this.postmaster = undefined;
      this.closeIdleSessions();
      await postmaster.stop();
      this.onEvent({ type: 'stopped' });
    });
  }

  /** What Postgres logged since its last start (serious lines first), for error messages. */
  recentLog(): string {
    return logSince(this.layout.logFile, this.logOffset);
  }

  /**
   * An admin session (cloud_admin over TLS, the server's certificate verified). Every slot
   * may be held for a moment by clients still logging in (Postgres counts them before it
   * knows who they are, so the superuser's reserve does not help then): "too many clients"
   * is waited out, a login lasting at most authentication_timeout.
   */
  private async connect(database: string): Promise<pg.Client> {
    const deadline = Date.now() + BUSY_WAIT_MS;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
      try {
        return await this.connectOnce(database);
      } catch (error) {
        if ((error as { code?: string }).code !== TOO_MANY_CONNECTIONS || Date.now() > deadline)
          throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async connectOnce(database: string): Promise<pg.Client> {
    const port = this.port;
    if (port === undefined) throw new Error('Postgres is not running');
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: ADMIN_ROLE,
      password: readAdminPassword(this.layout),
      database,
      ssl: { ca: this.cert ?? (await ensureCertificate(this.layout.pgdata)) },
      application_name: 'neon-local compute engine',
      connectionTimeoutMillis: 10_000,
      query_timeout: 120_000,
    });
    client.on('error', () => {}); // a session ended by a shutdown is reported by its query
    client.once('end', () => this.endedSessions.add(client));
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    return client;
  }

  /**
   * Runs fn with an admin session: the database's kept one when it is free, else a new one.
   * fn must leave no transaction open when it returns; if it throws, the session is closed.
   */
  async withSession<T>(fn: (client: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
    const postmaster = this.postmaster;
    const kept = this.idleSessions.get(database);
    this.idleSessions.delete(database);
    if (kept) clearTimeout(kept.timer);
    let client: pg.Client;
    if (kept && kept.postmaster === postmaster && !this.endedSessions.has(kept.client)) {
      client = kept.client;
    } else {
      if (kept) void kept.client.end().catch(() => {});
      client = await this.connect(database);
    }
    let usable = false;
    try {
      const result = await fn(client);
      usable = true;
      return result;
    } finally {
      const keep =
        usable &&
        database === 'postgres' &&
        postmaster !== undefined &&
        postmaster === this.postmaster &&
        postmaster.running &&
        !this.endedSessions.has(client) &&
        !this.idleSessions.has(database);
      if (keep) {
        const timer = setTimeout(() => {
          if (this.idleSessions.get(database)?.client !== client) return;
          this.idleSessions.delete(database);
          void client.end().catch(() => {});
        }, KEEP_SESSION_MS);
        timer.unref();
        this.idleSessions.set(database, { client, postmaster, timer });
      } else await client.end().catch(() => {});
    }
  }

  private closeIdleSessions(): void {
    for (const { client, timer } of this.idleSessions.values()) {
      clearTimeout(timer);
      void client.end().catch(() => {});
    }
    this.idleSessions.clear();
  }

  /** Runs fn while no start or stop can interleave (used to copy a stopped data directory). */
  serialised<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.lifecycle.then(fn, fn);
    this.lifecycle = result.catch(() => {});
    return result;
  }
}
