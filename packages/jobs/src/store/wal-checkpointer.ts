import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface WalCheckpointerOptions {
  /** Checkpoint once the WAL file holds this many bytes. Default 4 MiB (about 1,000 pages, SQLite's own default). */
  readonly thresholdBytes?: number;
  /** How often the WAL's size is looked at. Default 50 ms. */
  readonly intervalMs?: number;
}

/**
 * The thread's code: plain JavaScript given as a string, so it runs the same
 * from the package's build and from its TypeScript sources (a worker thread
 * does not inherit a TypeScript loader).
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  let size = 0;
  try { size = statSync(workerData.path + '-wal').size; } catch {}
  if (size >= workerData.thresholdBytes) db.pragma('wal_checkpoint(PASSIVE)');
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Checkpoints a WAL-mode SQLite file from a thread of its own. A checkpoint
 * copies the WAL's pages into the database file and syncs both; run by the
 * committing connection (SQLite's automatic checkpoint) it stalled the
 * writes of every job for milliseconds at a time and took a fifth of the
 * job event path's CPU. A passive checkpoint never blocks the writer; the
 * store keeps SQLite's automatic checkpoint at a larger size as a fallback
 * should this thread fall behind.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private closing: Promise<void> | undefined;
  private exited = false;

  constructor(path: string, options: WalCheckpointerOptions = {}) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(THREAD, {
      eval: true,
      workerData: { path, driver, thresholdBytes: options.thresholdBytes ?? 4 * 1024 * 1024, intervalMs: options.intervalMs ?? 50 },
    });
    // A failed checkpoint thread leaves the store to SQLite's automatic checkpoint; nothing to report to a writer.
    this.worker.on('error', () => undefined);
    this.worker.on('exit', () => (this.exited = true));
    this.worker.unref();
  }

  close(): Promise<void> {
    this.closing ??= this.exited
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          this.worker.once('exit', () => resolve());
          this.worker.ref();
          this.worker.postMessage('close');
        });
    return this.closing;
  }
}
