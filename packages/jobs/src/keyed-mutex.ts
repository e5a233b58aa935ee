/**
 * Runs tasks one at a time per key (tasks of different keys run freely), so
 * state transitions of one job never interleave; counts what waits.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();
  private queued = 0;
  private idleWaiters: (() => void)[] = [];

  /** Tasks queued or running. */
  get size(): number {
    return this.queued;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    this.queued++;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail: Promise<void> = result.then(
      (): void => this.settled(key, tail),
      (): void => this.settled(key, tail),
    );
    this.tails.set(key, tail);
    return result;
  }

  /** Resolves once no task is queued or running. */
  idle(): Promise<void> {
    if (this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves once at most `count` tasks are queued or running. */
  async below(count: number): Promise<void> {
    while (this.queued > count) await Promise.race(this.tails.values());
  }

  private settled(key: string, tail: Promise<void>): void {
    this.queued--;
    if (this.tails.get(key) === tail) this.tails.delete(key);
    if (this.queued === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
