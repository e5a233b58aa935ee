import type Database from 'better-sqlite3';

interface PendingWrite {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commits for one SQLite connection: the writes submitted before the
 * flush (queued with setImmediate by the first of them) run, in order, in one
 * transaction, and each write's promise resolves only after that commit.
 * The commit resolves the promises of every job that wrote, so their next
 * writes arrive together and share the next commit. A commit (the WAL append) costs far more than the statements in
 * it, so thirty jobs reporting progress in the same turn pay for one commit,
 * not thirty — and what a caller awaited is still on disk when it resumes.
 *
 * A write that throws fails alone: the batch rolls back and its writes are
 * committed one by one, so only the bad one is refused. When the commit
 * itself fails (the file is locked past the busy timeout, say) every write
 * of the batch is refused.
 */
export class GroupCommit {
  private pending: PendingWrite[] = [];
  private scheduled = false;
  private readonly commitBatch: (batch: readonly PendingWrite[], failed: { index: number }) => unknown[];
  private readonly commitOne: (write: PendingWrite) => unknown;

  constructor(db: Database.Database) {
    const batch = db.transaction((writes: readonly PendingWrite[], failed: { index: number }) =>
      writes.map((write, index) => {
        try {
          return write.work();
        } catch (error) {
          failed.index = index;
          throw error;
        }
      }),
    );
    // Immediate: the write lock is taken at BEGIN, so processes sharing the file take turns instead of failing to upgrade.
    this.commitBatch = (writes, failed) => batch.immediate(writes, failed);
    const one = db.transaction((write: PendingWrite) => write.work());
    this.commitOne = (write) => one.immediate(write);
  }

  /** Runs `work` inside the next group commit; resolves with its result once committed. */
  submit<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After this turn's I/O, not in a microtask: flushed in a microtask, a commit resumed the
        // processors, whose next writes made the next commit in the same turn, and while many jobs
        // reported the hub's sends and socket reads waited behind the engine (end to end, a p99 of
        // seconds). A microtask flush once seemed needed by a YoutubeRag test; that test assumed
        // an event could not reach the owner's user group before the subscription, now fixed.
        setImmediate(this.flush);
      }
    });
  }

  /** Commits every waiting write now (reads call it first, so they see every write submitted before them). */
  readonly flush = (): void => {
    this.scheduled = false;
    const writes = this.pending;
    if (writes.length === 0) return;
    this.pending = [];
    const failed = { index: -1 };
    let results: unknown[];
    try {
      results = this.commitBatch(writes, failed);
    } catch (error) {
      if (failed.index < 0 || writes.length === 1) {
        for (const write of writes) write.reject(error);
        return;
      }
      for (const write of writes) {
        try {
          write.resolve(this.commitOne(write));
        } catch (alone) {
          write.reject(alone);
        }
      }
      return;
    }
    for (let i = 0; i < writes.length; i++) writes[i]!.resolve(results[i]);
  };
}
