import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker's whole program (CommonJS, so it runs from a string inside the server's bundle):
 * its own connection to the database file, which copies the WAL into the database on request
 * (a PASSIVE checkpoint: it never waits for, nor blocks, the server's writer). The
 * connection keeps SQLite's default synchronous=FULL, so the checkpoint syncs the WAL before
 * it copies and the database file before the WAL may be restarted.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// However it ends (closed, or failed to open), a server waiting in close() goes on.
process.on('exit', () => {
  Atomics.store(workerData.closed, 0, 1);
  Atomics.notify(workerData.closed, 0);
});
const Database = require(workerData.driver);
const db = new Database(workerData.file);
parentPort.on('message', (msg) => {
  if (msg === 'close') {
    db.close();
    process.exit(0);
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage(null);
  } catch (err) {
    parentPort.postMessage(String(err && err.message));
  }
});
`;

/** Commits between two background checkpoints: small enough that each copies little. */
const COMMITS_PER_CHECKPOINT = 100;
/** How long `close` waits for the worker's connection to close. */
const CLOSE_WAIT_MS = 5000;

/**
 * Moves SQLite's WAL checkpoints off the event loop. SQLite's own automatic checkpoint runs
 * inside the commit that crosses `wal_autocheckpoint` pages: it copies the WAL into the
 * database and fsyncs both files while every request in flight waits (≈5 ms on this disk,
 * the mutations' tail). Here a worker thread checkpoints every few commits instead; the
 * automatic checkpoint stays as the backstop that bounds the WAL should the worker fall
 * behind. A checkpoint changes where committed data lives, never whether it is durable.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private readonly closed = new Int32Array(new SharedArrayBuffer(4));
  private commits = 0;
  private running = false;

  constructor(file: string) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, file, closed: this.closed },
    });
    this.worker.on('message', (error: string | null) => {
      this.running = false;
      // A failed checkpoint loses nothing (the WAL still holds it); the next one retries.
      if (error) process.stderr.write(`background checkpoint: ${error}\n`);
    });
    this.worker.on('error', (err) => {
      process.stderr.write(`background checkpoint worker: ${err.message}\n`);
    });
    // A worker gone (it failed) leaves SQLite's automatic checkpoint to do the work alone.
    this.worker.on('exit', () => (this.running = true));
    this.worker.unref(); // a server on its way out is not kept alive by it
  }

  /** A transaction committed: every so many, the worker checkpoints (unless it still is). */
  noteCommit(): void {
    if (++this.commits < COMMITS_PER_CHECKPOINT || this.running) return;
    this.commits = 0;
    this.running = true;
    this.worker.postMessage('checkpoint');
  }

  /**
   * Closes the worker's connection before the server's own closes (the last connection to
   * close checkpoints the whole WAL and removes it). Waits for a checkpoint in progress.
   */
  close(): void {
    this.worker.postMessage('close');
    Atomics.wait(this.closed, 0, 0, CLOSE_WAIT_MS);
  }
}
