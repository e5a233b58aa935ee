import { type Clock, type TimerHandle, systemClock } from '@tidings/jobs';
import { type Logger } from '@tidings/server';

export interface BatchedMessage {
  /**
   * Messages with the same key supersede each other within a window: only the
   * latest is sent (full-state progress of one task, say). Omit to keep all.
   */
  readonly coalesceKey?: string;
  readonly send: () => Promise<void>;
}

export interface MessageBatcherOptions {
  /** How long the first message of a batch waits for company. Default 100 ms. */
  readonly windowMs?: number;
  /** A batch this large goes at once. Default 50. */
  readonly maxBatchSize?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/**
 * Holds high-frequency messages for a short window and sends them together
 *. They leave in one event-loop turn, so each connection gets
 * them in one transport write (one WebSocket frame, one SSE write, one poll
 * response), while every message keeps its own event name and payload: client
 * handlers do not change. Within a window a message superseded by a newer one
 * with the same `coalesceKey` is dropped.
 */
export class MessageBatcher {
  readonly windowMs: number;
  readonly maxBatchSize: number;
  readonly metrics = { queued: 0, coalesced: 0, batches: 0, sent: 0, failed: 0 };
  private readonly clock: Clock;
  private batch = new Map<string, BatchedMessage>();
  private timer: TimerHandle | undefined;
  private anonymous = 0;

  constructor(private readonly options: MessageBatcherOptions = {}) {
    this.windowMs = options.windowMs ?? 100;
    this.maxBatchSize = options.maxBatchSize ?? 50;
    this.clock = options.clock ?? systemClock;
  }

  get pending(): number {
    return this.batch.size;
  }

  enqueue(message: BatchedMessage): void {
    this.metrics.queued++;
    const key = message.coalesceKey !== undefined ? `k:${message.coalesceKey}` : `n:${this.anonymous++}`;
    if (this.batch.delete(key)) this.metrics.coalesced++;
    // Re-inserted at the end: a superseding message is the newest, and goes after what came before it.
    this.batch.set(key, message);
    if (this.batch.size >= this.maxBatchSize) {
      void this.flush();
      return;
    }
    if (this.timer === undefined) this.timer = this.clock.setTimeout(() => void this.flush(), this.windowMs);
  }

  /** Sends what is waiting now (before a message that must not overtake it, say). */
  async flush(): Promise<void> {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.size === 0) return;
    const messages = [...this.batch.values()];
    this.batch = new Map();
    this.metrics.batches++;
    // Started in one turn: the transports coalesce what is queued in a turn into one write.
    await Promise.all(
      messages.map((m) =>
        m.send().then(
          () => void this.metrics.sent++,
          (error: unknown) => {
            this.metrics.failed++;
            this.options.logger?.warn({ err: error }, 'a batched message could not be sent');
          },
        ),
      ),
    );
  }
}
