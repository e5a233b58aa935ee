import { type Clock, systemClock } from '@tidings/jobs';

export interface FixedWindowOptions {
  /** Permits per window and partition. Default 100. */
  readonly permitLimit?: number;
  /** Default 60 000 ms. */
  readonly windowMs?: number;
  readonly clock?: Clock;
}

interface Partition {
  windowEndsAt: number;
  used: number;
}

/**
 * ASP.NET Core's fixed window limiter, partitioned (by client IP, say), with
 * no queue: each partition gets `permitLimit` permits per window, and past
 * them a request is refused at once with the time until the next window.
 *
 * Conduit's reliability design put a queue of 50 behind the permits. A queued hub
 * invocation holds its connection's one invocation slot while it waits, so
 * everything the client sends after it — acknowledgements included — waits
 * too, for up to a whole window. A mature limiter for hub calls refuses at
 * once and lets the client retry after `Retry-After`; that is what this does.
 */
export class FixedWindowRateLimiter {
  readonly permitLimit: number;
  readonly windowMs: number;
  readonly metrics = { granted: 0, rejected: 0 };
  private readonly clock: Clock;
  private readonly partitions = new Map<string, Partition>();
  private nextSweepAt: number;

  constructor(options: FixedWindowOptions = {}) {
    this.permitLimit = options.permitLimit ?? 100;
    this.windowMs = options.windowMs ?? 60_000;
    this.clock = options.clock ?? systemClock;
    if (!Number.isInteger(this.permitLimit) || this.permitLimit < 1) throw new RangeError('permitLimit must be a positive integer.');
    if (!(this.windowMs > 0)) throw new RangeError('windowMs must be positive.');
    this.nextSweepAt = this.clock.now() + this.windowMs;
  }

  /** Takes a permit: 0 when granted, else the milliseconds until `partitionKey`'s next window (at least 1). */
  tryAcquire(partitionKey: string): number {
    const now = this.clock.now();
    if (now >= this.nextSweepAt) this.sweep(now);
    let partition = this.partitions.get(partitionKey);
    if (!partition || now >= partition.windowEndsAt) {
      partition = { windowEndsAt: now + this.windowMs, used: 0 };
      this.partitions.set(partitionKey, partition);
    }
    if (partition.used < this.permitLimit) {
      partition.used++;
      this.metrics.granted++;
      return 0;
    }
    this.metrics.rejected++;
    return Math.max(1, partition.windowEndsAt - now);
  }

  /** Partitions currently tracked (their window has not ended). */
  get partitionCount(): number {
    return this.partitions.size;
  }

  /** Forgets every partition. */
  close(): void {
    this.partitions.clear();
  }

  /** Drops partitions whose window has ended, at most once a window: memory follows the IPs of the last window only. */
  private sweep(now: number): void {
    for (const [key, partition] of this.partitions) if (now >= partition.windowEndsAt) this.partitions.delete(key);
    this.nextSweepAt = now + this.windowMs;
  }
}
