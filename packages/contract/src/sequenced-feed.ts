import { DEFAULT_RECONNECT_DELAYS_MS, cancellableDelay, reconnectDelay } from './backoff.js';

export interface HistoryPage<E> {
  /** Events after the requested sequence, oldest first. */
  readonly events: readonly E[];
  /** The last sequence the source had when it answered. */
  readonly lastSequence: number;
}

export interface SequencedFeedOptions<E> {
  /** Reads stored events after `after` (one page; the feed asks again until it has caught up). */
  readonly fetchAfter: (after: number) => Promise<HistoryPage<E>>;
  readonly deliver: (event: E) => void;
  /** Whether a failed fetch is worth trying again (a missing job is not). Default: always. */
  readonly isRetryable?: (error: unknown) => boolean;
  /** Told about each fetch that failed and will be retried. */
  readonly onRetry?: (error: unknown) => void;
  readonly retryDelaysMs?: readonly number[];
}

export class FeedClosedError extends Error {
  override readonly name = 'FeedClosedError';
  constructor() {
    super('The feed was closed.');
  }
}

/**
 * Turns live events that may repeat, arrive out of order or miss some into
 * one ordered stream without gaps or duplicates: an event above the next
 * expected sequence is held while the missing ones are fetched from the
 * stored history, an event at or below the last delivered is dropped.
 */
export class SequencedFeed<E extends { readonly sequence: number }> {
  private last: number | undefined;
  private readonly pending = new Map<number, E>();
  private holds = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private retryWait: { cancel(): void } | undefined;
  private closed = false;

  constructor(
    private readonly options: SequencedFeedOptions<E>,
    after?: number,
  ) {
    this.last = after;
  }

  /** The sequence of the last delivered event (or the starting point); undefined before either. */
  get lastSequence(): number | undefined {
    return this.last;
  }

  /** The highest sequence received, delivered or not. */
  get highestSeen(): number | undefined {
    let highest = this.last;
    for (const sequence of this.pending.keys()) if (highest === undefined || sequence > highest) highest = sequence;
    return highest;
  }

  /** Counts everything up to `after` as seen, unless a starting point is already set. */
  startAfter(after: number): void {
    if (this.last === undefined) this.last = after;
  }

  push(event: E): void {
    if (this.closed) return;
    if (this.last !== undefined && event.sequence <= this.last) return;
    if (!this.pending.has(event.sequence)) this.pending.set(event.sequence, event);
    this.drain();
  }

  /** Holds live events back (they still count as seen) until the returned function is called. */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.drain();
    };
  }

  /**
   * Fetches and delivers everything stored after the last delivered event,
   * then what was held. Retries failed fetches with backoff; rejects only for
   * a failure that is not retryable, or when the feed is closed.
   */
  catchUp(): Promise<void> {
    if (this.closed) return Promise.reject(new FeedClosedError());
    if (this.running) {
      // What the running fetch read may predate what the caller knows is missing: read again after it.
      this.again = true;
      return this.running;
    }
    this.running = this.catchUpLoop();
    return this.running;
  }

  close(): void {
    this.closed = true;
    this.pending.clear();
    this.retryWait?.cancel();
  }

  private async catchUpLoop(): Promise<void> {
    const release = this.hold();
    try {
      let failures = 0;
      do {
        this.again = false;
        try {
          await this.fetchMissing();
          failures = 0;
        } catch (error) {
          if (this.closed) throw new FeedClosedError();
          if (this.options.isRetryable && !this.options.isRetryable(error)) throw error;
          this.options.onRetry?.(error);
          await this.pause(++failures);
          this.again = true;
          continue;
        }
        if (this.hasGap()) {
          // Held events are ahead of what the store returned (a replica behind, say): ask again later, not in a hot loop.
          await this.pause(++failures);
          this.again = true;
        }
      } while (this.again && !this.closed);
    } finally {
      this.running = undefined;
      release();
    }
  }

  private async pause(attempt: number): Promise<void> {
    const wait = cancellableDelay(reconnectDelay(this.options.retryDelaysMs ?? DEFAULT_RECONNECT_DELAYS_MS, attempt));
    this.retryWait = wait;
    if (!(await wait.done)) throw new FeedClosedError();
  }

  private hasGap(): boolean {
    const last = this.last;
    if (last === undefined) return false;
    let ahead = false;
    for (const sequence of this.pending.keys()) {
      if (sequence === last + 1) return false;
      if (sequence > last) ahead = true;
    }
    return ahead;
  }

  private async fetchMissing(): Promise<void> {
    for (;;) {
      const after = this.last;
      if (after === undefined || this.closed) return;
      const page = await this.options.fetchAfter(after);
      if (this.closed) return;
      for (const event of page.events) this.accept(event);
      const last = this.last ?? after;
      if (last >= page.lastSequence || page.events.length === 0) {
        // The store has nothing between `last` and the lowest held event: waiting will not fill that gap.
        const lowest = this.lowestPending();
        if (lowest !== undefined && lowest > last + 1 && page.lastSequence >= lowest) this.last = lowest - 1;
        return;
      }
    }
  }

  private accept(event: E): void {
    if (this.last !== undefined && event.sequence <= this.last) return;
    this.last = event.sequence;
    this.pending.delete(event.sequence);
    this.options.deliver(event);
  }

  private lowestPending(): number | undefined {
    let lowest: number | undefined;
    for (const sequence of this.pending.keys()) if (lowest === undefined || sequence < lowest) lowest = sequence;
    return lowest;
  }

  private drain(): void {
    while (this.holds === 0 && !this.closed && this.pending.size > 0) {
      if (this.last === undefined) {
        // No starting point: the first event heard is where this feed begins.
        this.accept(this.pending.get(this.lowestPending()!)!);
        continue;
      }
      for (const sequence of this.pending.keys()) if (sequence <= this.last) this.pending.delete(sequence);
      const next = this.pending.get(this.last + 1);
      if (next) {
        this.accept(next);
        continue;
      }
      if (this.pending.size > 0) this.catchUp().catch(() => undefined); // a gap: the owner hears of failures through onRetry
      return;
    }
  }
}
