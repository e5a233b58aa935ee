/** Something with output queued during this event-loop turn. */
export interface Flushable {
  flush(): void;
}

/**
 * Coalesces writes: every record queued on a connection during one event-loop
 * turn leaves in one transport write at the end of the turn. One shared
 * `setImmediate` serves all connections, so queueing allocates nothing per
 * message beyond an array slot.
 */
export class FlushScheduler {
  private dirty: Flushable[] = [];
  private spare: Flushable[] = [];
  private scheduled = false;
  private readonly run = (): void => {
    this.scheduled = false;
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
  };

  schedule(target: Flushable): void {
    this.dirty.push(target);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }
}

export const flushScheduler = new FlushScheduler();
