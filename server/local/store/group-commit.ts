import fs from 'node:fs';

/** How a commit is made durable: `fs.fdatasync` unless a test watches it. */
export type Fsync = (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;

interface Waiter {
  /** The commit count this waiter needs on disk. */
  upTo: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Group commit for a WAL-mode SQLite file committed with `synchronous=NORMAL`: a commit
 * reaches the OS at once (so it survives the process), and one `fdatasync` of the WAL,
 * in libuv's thread pool, makes durable every commit written before it began. The commits
 * of requests that arrive together share that fsync; each request waits for the one that
 * covers it (`whenDurable`) before it is answered. SQLite syncs the WAL header on each
 * restart of the log and syncs both files around each checkpoint (NORMAL), so the WAL is
 * never reset before the database file holds its frames durably.
 */
export class GroupCommit {
  private committed = 0;
  private durable = 0;
  private syncing = false;
  private waiters: Waiter[] = [];
  private fd: number | undefined;
  private closed = false;

  constructor(
    private readonly walFile: string,
    private readonly fsync: Fsync = fs.fdatasync,
  ) {}

  /** A transaction committed: its frames are in the WAL, not yet on disk. */
  noteCommit(): void {
    this.committed++;
  }

  /**
   * Resolves once every commit so far is on disk; undefined when they already are (the
   * common case for reads, which then cost nothing).
   */
  whenDurable(): Promise<void> | undefined {
    if (this.durable >= this.committed) return undefined;
    const upTo = this.committed;
    const wait = new Promise<void>((resolve, reject) =>
      this.waiters.push({ upTo, resolve, reject }),
    );
    this.schedule();
    return wait;
  }

  private schedule(): void {
    if (this.syncing) return; // the sync in flight schedules the next when it ends
    this.syncing = true;
    // After this turn of the event loop: the requests read together commit first and share it.
    setImmediate(() => this.sync());
  }

  private sync(): void {
    const upTo = this.committed;
    const end = (err: Error | null) => {
      this.syncing = false;
      if (this.closed) this.closeFile();
      const covered = this.waiters.filter((w) => w.upTo <= upTo);
      this.waiters = this.waiters.filter((w) => w.upTo > upTo);
      if (err) {
        for (const w of covered) w.reject(err);
      } else {
        this.durable = Math.max(this.durable, upTo);
        for (const w of covered) w.resolve();
      }
      if (this.waiters.length) this.schedule();
    };
    if (this.closed) {
      end(null); // the database's close synced it
      return;
    }
    try {
      // fsync is per file (inode): any descriptor of the WAL flushes what SQLite wrote to it.
      this.fd ??= fs.openSync(this.walFile, 'r');
    } catch (err) {
      end(err as Error);
      return;
    }
    this.fsync(this.fd, end);
  }

  /**
   * Before the database closes (closing syncs and checkpoints the WAL, so nothing
   * acknowledged depends on us any more). A sync in flight closes the file when it ends.
   */
  close(): void {
    this.closed = true;
    if (!this.syncing) this.closeFile();
  }

  private closeFile(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
