import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.ts';

/**
 * The store's SQLite file: opened durable (WAL, synchronous=FULL) and migrated, with a cache
 * of prepared statements and a version that moves whenever a transaction ends, so values
 * derived from the data know when they are stale.
 */
export class Sqlite {
  readonly db: Database.Database;
  private readonly stmts = new Map<string, Database.Statement>();
  private finished = 0;

  /** `dataDir` holds the file; ':memory:' gives a throwaway database. */
  constructor(dataDir: string) {
    if (dataDir === ':memory:') {
      this.db = new Database(':memory:');
    } else {
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      this.db = new Database(path.join(dataDir, 'neon-local.sqlite'));
      this.db.pragma('journal_mode = WAL');
    }
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
  }

  /** Changes when a transaction ends, committed or rolled back. */
  get version(): number {
    return this.finished;
  }

  close(): void {
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
    return this.stmt(sql).run(...params);
  }

  /** Runs `fn` in one IMMEDIATE transaction: committed whole, or rolled back if it throws. */
  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } finally {
      this.finished++;
    }
  }
}
