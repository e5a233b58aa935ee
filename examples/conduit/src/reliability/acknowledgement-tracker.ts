import { type Clock, type TimerHandle, systemClock } from '@tidings/jobs';
import type { DeadLetter, NewDeadLetter } from './dead-letter-store.js';
import type { Enveloped } from './message-envelope.js';
import { type Logger } from '@tidings/server';

/** How critical messages are re-sent until acknowledged. */
export interface RetryPolicy {
  /** Wait this long for the first acknowledgement. Default 5000 ms. */
  readonly ackTimeoutMs: number;
  /** Each next wait is this many times longer. Default 2. */
  readonly backoffMultiplier: number;
  /** Waits never exceed this. Default 60 000 ms. */
  readonly maxDelayMs: number;
  /** Deliveries in all, the first included; then the message is dead-lettered. Default 5. */
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { ackTimeoutMs: 5000, backoffMultiplier: 2, maxDelayMs: 60_000, maxAttempts: 5 };

export interface TrackedMessage {
  readonly hub: string;
  readonly method: string;
  readonly payload: Enveloped<object>;
  readonly connectionId: string;
  readonly userIdentifier: string | null;
}

export interface AcknowledgementTrackerOptions {
  /** Sends the message again to one connection of `hub`. */
  readonly resend: (hub: string, connectionId: string, method: string, payload: Enveloped<object>) => Promise<void>;
  /** Where messages go when they are given up on. */
  readonly deadLetters: { add(letter: NewDeadLetter): DeadLetter };
  readonly policy?: Partial<RetryPolicy>;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Told of each dead letter (to alert an admin, say). */
  readonly onDeadLettered?: (letter: DeadLetter) => void;
}

interface Pending extends TrackedMessage {
  payload: Enveloped<object>;
  attempts: number;
  lastError: string | null;
  timer: TimerHandle | undefined;
  readonly firstSentAt: string;
}

/**
 * Acknowledgements per recipient connection: each tracked message is re-sent
 * to a connection that has not acknowledged it, with exponential backoff and
 * the same `messageId` (its `retryCount` going up), until it is acknowledged
 * or `maxAttempts` deliveries were made; then it becomes a dead letter. A
 * negative acknowledgement counts as a failed delivery. A connection that
 * closes dead-letters what it had not acknowledged, so nothing is dropped
 * without a trace.
 */
export class AcknowledgementTracker {
  readonly policy: RetryPolicy;
  readonly metrics = { tracked: 0, acknowledged: 0, nacked: 0, resent: 0, deadLettered: 0 };
  private readonly clock: Clock;
  private readonly pending = new Map<string, Pending>();
  private readonly byConnection = new Map<string, Set<string>>();

  constructor(private readonly options: AcknowledgementTrackerOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    if (this.policy.maxAttempts < 1) throw new RangeError('maxAttempts must be at least 1.');
    this.clock = options.clock ?? systemClock;
  }

  /** Messages waiting for an acknowledgement. */
  get size(): number {
    return this.pending.size;
  }

  /** Starts waiting for `connectionId` to acknowledge a message it was just sent. */
  track(message: TrackedMessage): void {
    const key = keyOf(message.payload.messageId, message.connectionId);
    if (this.pending.has(key)) return;
    const entry: Pending = { ...message, attempts: 1, lastError: null, timer: undefined, firstSentAt: new Date(this.clock.now()).toISOString() };
    this.pending.set(key, entry);
    let keys = this.byConnection.get(message.connectionId);
    if (!keys) this.byConnection.set(message.connectionId, (keys = new Set()));
    keys.add(key);
    this.metrics.tracked++;
    this.schedule(key, entry, this.policy.ackTimeoutMs);
  }

  /** True when the message was waiting for this connection's acknowledgement. */
  acknowledge(messageId: string, connectionId: string): boolean {
    const key = keyOf(messageId, connectionId);
    const entry = this.pending.get(key);
    if (!entry) return false;
    this.forget(key, entry);
    this.metrics.acknowledged++;
    return true;
  }

  /** The client could not process the message: re-send after the backoff, or give up. */
  nack(messageId: string, connectionId: string, error: string | null): boolean {
    const key = keyOf(messageId, connectionId);
    const entry = this.pending.get(key);
    if (!entry) return false;
    this.metrics.nacked++;
    entry.lastError = error;
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    if (entry.attempts >= this.policy.maxAttempts) {
      this.deadLetter(key, entry, `Refused by the client (NackMessage) on each of ${entry.attempts} deliveries.`);
    } else {
      this.schedule(key, entry, this.delayAfter(entry.attempts));
    }
    return true;
  }

  /** The connection is gone: what it had not acknowledged becomes dead letters. */
  connectionClosed(connectionId: string): void {
    for (const key of [...(this.byConnection.get(connectionId) ?? [])]) {
      const entry = this.pending.get(key);
      if (entry) this.deadLetter(key, entry, 'The connection closed before acknowledging the message.');
    }
  }

  /** Stops every timer; what is still unacknowledged becomes dead letters. */
  close(reason = 'The server stopped before the message was acknowledged.'): void {
    for (const [key, entry] of [...this.pending]) this.deadLetter(key, entry, reason);
  }

  private schedule(key: string, entry: Pending, delayMs: number): void {
    entry.timer = this.clock.setTimeout(() => this.expire(key, entry), delayMs);
  }

  private expire(key: string, entry: Pending): void {
    entry.timer = undefined;
    if (this.pending.get(key) !== entry) return;
    if (entry.attempts >= this.policy.maxAttempts) {
      this.deadLetter(key, entry, `Not acknowledged after ${entry.attempts} deliveries.`);
      return;
    }
    entry.payload = { ...entry.payload, retryCount: entry.attempts };
    entry.attempts++;
    this.metrics.resent++;
    this.options.resend(entry.hub, entry.connectionId, entry.method, entry.payload).catch((error: unknown) => {
      this.options.logger?.warn({ err: error, messageId: entry.payload.messageId, connectionId: entry.connectionId }, 're-sending a message failed');
    });
    this.schedule(key, entry, this.delayAfter(entry.attempts));
  }

  /** The wait after the n-th delivery: the timeout, then exponentially longer. */
  private delayAfter(deliveries: number): number {
    const { ackTimeoutMs, backoffMultiplier, maxDelayMs } = this.policy;
    return Math.min(maxDelayMs, ackTimeoutMs * backoffMultiplier ** (deliveries - 1));
  }

  private deadLetter(key: string, entry: Pending, reason: string): void {
    this.forget(key, entry);
    this.metrics.deadLettered++;
    try {
      const letter = this.options.deadLetters.add({
        messageId: entry.payload.messageId,
        hub: entry.hub,
        method: entry.method,
        connectionId: entry.connectionId,
        userIdentifier: entry.userIdentifier,
        payload: entry.payload,
        attempts: entry.attempts,
        reason,
        lastError: entry.lastError,
        firstSentAt: entry.firstSentAt,
        deadLetteredAt: new Date(this.clock.now()).toISOString(),
      });
      this.options.onDeadLettered?.(letter);
    } catch (error) {
      this.options.logger?.error({ err: error, messageId: entry.payload.messageId }, 'storing a dead letter failed');
    }
  }

  private forget(key: string, entry: Pending): void {
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    entry.timer = undefined;
    this.pending.delete(key);
    const keys = this.byConnection.get(entry.connectionId);
    keys?.delete(key);
    if (keys?.size === 0) this.byConnection.delete(entry.connectionId);
  }
}

function keyOf(messageId: string, connectionId: string): string {
  return `${messageId}\u0000${connectionId}`;
}
