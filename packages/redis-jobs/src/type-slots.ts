/**
 * Per-type concurrency on a BullMQ worker. BullMQ's own concurrency is per
 * worker, not per job name, so a job whose type is at its limit waits here,
 * first come first served, while the worker keeps its lock renewed; jobs of
 * other types take the worker's other slots meanwhile.
 */
export class TypeSlots {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  /**
   * Resolves with a release function once fewer than `limit` jobs of `type`
   * hold a slot; at once without a limit. Rejects with `signal`'s reason if it
   * aborts first.
   */
  async acquire(type: string, limit: number | undefined, signal: AbortSignal): Promise<() => void> {
    if (limit === undefined) return () => undefined;
    signal.throwIfAborted();
    if ((this.running.get(type) ?? 0) >= limit) {
      await new Promise<void>((resolve, reject) => {
        const queue = this.waiting.get(type) ?? [];
        const wake = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          queue.splice(queue.indexOf(wake), 1);
          reject(signal.reason);
        };
        queue.push(wake);
        this.waiting.set(type, queue);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    // A woken waiter takes the slot its releaser handed over: the count was not lowered for it.
    else this.running.set(type, (this.running.get(type) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.get(type)?.shift();
      if (next) next();
      else this.running.set(type, this.running.get(type)! - 1);
    };
  }
}
