import { type Clock, type TimerHandle, systemClock } from '@tidings/jobs';

export interface FixedWindowOptions {
  /** Permits per window and partition. Default 100. */
  readonly permitLimit?: number;
  /** Default 60 000 ms. */
  readonly windowMs?: number;
  /** Requests that may wait for the next window once the permits are used up. Default 50. */
  readonly queueLimit?: number;
  readonly clock?: Clock;
}

/** Refused: the permits of this window are used up and the queue is full. */
export class RateLimitExceeded extends Error {
  override readonly name = 'RateLimitExceeded';
  constructor(
    readonly partition: string,
    /** When the next window opens. */
    readonly retryAfterMs: number,
  ) {
    super(`Rate limit exceeded; try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s.`);
  }
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

interface Partition {
  windowEndsAt: number;
  used: number;
  readonly queue: Waiter[];
  timer: TimerHandle;
}

/**
 * ASP.NET Core's fixed window limiter, partitioned (by client IP, say): each
 * partition gets `permitLimit` permits per window; past that, up to
 * `queueLimit` requests wait, oldest first, for the next window; past that,
 * requests are refused. Partitions with nothing to do are dropped when their
 * window ends.
 */
export class FixedWindowRateLimiter {
  readonly permitLimit: number;
  readonly windowMs: number;
  readonly queueLimit: number;
  readonly metrics = { granted: 0, queued: 0, rejected: 0 };
  private readonly clock: Clock;
  private readonly partitions = new Map<string, Partition>();

  constructor(options: FixedWindowOptions = {}) {
    this.permitLimit = options.permitLimit ?? 100;
    this.windowMs = options.windowMs ?? 60_000;
    this.queueLimit = options.queueLimit ?? 50;
    this.clock = options.clock ?? systemClock;
    if (this.permitLimit < 1) throw new RangeError('permitLimit must be at least 1.');
  }

  /** Resolves when a permit is granted; rejects with RateLimitExceeded, or the signal's reason when it aborts while queued. */
  acquire(partitionKey: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const partition = this.partitions.get(partitionKey) ?? this.open(partitionKey);
    if (partition.used < this.permitLimit && partition.queue.length === 0) {
      partition.used++;
      this.metrics.granted++;
      return Promise.resolve();
    }
    if (partition.queue.length >= this.queueLimit) {
      this.metrics.rejected++;
      return Promise.reject(new RateLimitExceeded(partitionKey, partition.windowEndsAt - this.clock.now()));
    }
    this.metrics.queued++;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = partition.queue.indexOf(waiter);
          if (index !== -1) partition.queue.splice(index, 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      partition.queue.push(waiter);
    });
  }

  /** Requests waiting in `partitionKey`'s queue. */
  queued(partitionKey: string): number {
    return this.partitions.get(partitionKey)?.queue.length ?? 0;
  }

  /** Stops the timers; queued requests are refused. */
  close(): void {
    for (const [key, partition] of this.partitions) {
      this.clock.clearTimeout(partition.timer);
      for (const waiter of partition.queue.splice(0)) waiter.reject(new RateLimitExceeded(key, this.windowMs));
    }
    this.partitions.clear();
  }

  private open(key: string): Partition {
    const partition: Partition = {
      windowEndsAt: this.clock.now() + this.windowMs,
      used: 0,
      queue: [],
      timer: this.clock.setTimeout(() => this.nextWindow(key, partition), this.windowMs),
    };
    this.partitions.set(key, partition);
    return partition;
  }

  private nextWindow(key: string, partition: Partition): void {
    if (partition.queue.length === 0) {
      this.partitions.delete(key);
      return;
    }
    partition.used = 0;
    partition.windowEndsAt = this.clock.now() + this.windowMs;
    while (partition.used < this.permitLimit && partition.queue.length > 0) {
      const waiter = partition.queue.shift()!;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      partition.used++;
      this.metrics.granted++;
      waiter.resolve();
    }
    partition.timer = this.clock.setTimeout(() => this.nextWindow(key, partition), this.windowMs);
  }
}
