/** Something with output queued during this event-loop turn. */
export interface Flushable {
  flush(): void;
}

/** A flush run longer than this makes the next one wait for a timer rather than the end of the turn. */
const SLOW_FLUSH_MS = 1;

/**
 * Coalesces writes: every record queued on a connection during one event-loop
 * turn leaves in one transport write at the end of the turn. One shared
 * `setImmediate` serves all connections, so queueing allocates nothing per
 * message beyond an array slot.
 *
 * When a flush run is slow (a large fan-out, a busy machine), the next one
 * waits for a 1 ms timer instead: what is queued meanwhile shares the same
 * socket writes, so a saturated server batches more instead of falling behind.
 */
export class FlushScheduler {
  private dirty: Flushable[] = [];
  private spare: Flushable[] = [];
  private scheduled = false;
  private deferNext = false;
  private readonly run = (): void => {
    this.scheduled = false;
    const startedAt = performance.now();
    const batch = this.dirty;
    this.dirty = this.spare;
    this.spare = batch;
    for (let i = 0; i < batch.length; i++) {
      try {
        batch[i]!.flush();
      } catch {
        // A transport failure is handled by that connection's close path; others still flush.
      }
    }
    batch.length = 0;
    this.deferNext = performance.now() - startedAt > SLOW_FLUSH_MS;
  };

  schedule(target: Flushable): void {
    this.dirty.push(target);
    if (!this.scheduled) {
      this.scheduled = true;
      if (this.deferNext) setTimeout(this.run, SLOW_FLUSH_MS);
      else setImmediate(this.run);
    }
  }
}

export const flushScheduler = new FlushScheduler();
