import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.ts';
import { Checkpointer } from './checkpointer.ts';
import { GroupCommit, type Fsync } from './group-commit.ts';
import { storageFull, storageFullUnsynced } from './store-error.ts';

/**
 * SQLite's refusals that are the disk's, not the data's: a write that needs space the
 * filesystem no longer has. SQLite has rolled the transaction back by then (better-sqlite3
 * finishes the rollback), so the store is as it was.
 */
function translated(err: unknown): unknown {
  if (err instanceof Database.SqliteError && err.code === 'SQLITE_FULL') return storageFull();
  return err;
}

/** A failed fsync of the WAL for want of space (or quota): a refusal, not a server fault. */
function translatedSync(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOSPC' || code === 'EDQUOT' ? storageFullUnsynced() : err;
}

/** WAL pages (4 KiB) past which a commit checkpoints itself: the WAL's bound. */
const BACKSTOP_CHECKPOINT_PAGES = 4096;

/**
 * The store's SQLite file: WAL mode with group commit (a commit is durable once
 * `whenDurable()` resolves; see group-commit.ts), migrated, with a cache of prepared
 * statements and a version that moves whenever a transaction ends, so values derived from
 * the data know when they are stale.
 */
export class Sqlite {
  readonly db: Database.Database;
  private readonly stmts = new Map<string, Database.Statement>();
  private finished = 0;
  /** Undefined for ':memory:', which has nothing to make durable. */
  private readonly groupCommit: GroupCommit | undefined;
  private readonly checkpointer: Checkpointer | undefined;
  /**
   * better-sqlite3's IMMEDIATE transaction wrapper, made once: `db.transaction(fn)` builds
   * four wrappers and defines their properties on every call.
   */
  private readonly immediate: <T>(work: () => T) => T;

  /** `dataDir` holds the file; ':memory:' gives a throwaway database. */
  constructor(dataDir: string, fsync?: Fsync) {
    if (dataDir === ':memory:') {
      this.db = new Database(':memory:');
    } else {
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const file = path.join(dataDir, 'neon-local.sqlite');
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      // NORMAL: commits are not synced one by one (group commit syncs them together), but
      // the WAL header and checkpoints are, which keeps the file safe from corruption.
      this.db.pragma('synchronous = NORMAL');
      // The worker checkpoints every few commits; SQLite's own (inside a commit, on the event
      // loop) only if the WAL passes 16 MiB anyway.
      this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
      this.groupCommit = new GroupCommit(`${file}-wal`, fsync);
      this.checkpointer = new Checkpointer(file);
    }
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.immediate = this.db.transaction((work: () => unknown) => work()).immediate as <T>(
      work: () => T,
    ) => T;
  }

  /** Changes when a transaction ends, committed or rolled back. */
  get version(): number {
    return this.finished;
  }

  /** Resolves when every commit so far is on disk; undefined when they already are. */
  whenDurable(): Promise<void> | undefined {
    return this.groupCommit?.whenDurable()?.catch((err: unknown) => {
      throw translatedSync(err);
    });
  }

  close(): void {
    this.groupCommit?.close();
    this.checkpointer?.close();
    this.db.close();
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.write(sql, (s) => s.run(...params));
  }

  /** A write that answers a row (`… RETURNING`). */
  returning<T>(sql: string, ...params: unknown[]): T {
    return this.write(sql, (s) => s.get(...params) as T);
  }

  /** Runs one write statement: an autocommitted one is noted as a commit, a full disk translated. */
  private write<R>(sql: string, exec: (statement: Database.Statement) => R): R {
    try {
      const result = exec(this.stmt(sql));
      if (!this.db.inTransaction) this.committed(); // autocommitted
      return result;
    } catch (err) {
      throw translated(err);
    }
  }

  private committed(): void {
    this.groupCommit?.noteCommit();
    this.checkpointer?.noteCommit();
  }

  /** Runs `fn` in one IMMEDIATE transaction: committed whole, or rolled back if it throws. */
  transaction<T>(fn: () => T): T {
    try {
      const value = this.immediate(fn);
      if (!this.db.inTransaction) this.committed(); // the outermost one ended
      return value;
    } catch (err) {
      throw translated(err);
    } finally {
      this.finished++;
    }
  }
}
