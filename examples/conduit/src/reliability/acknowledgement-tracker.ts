import { type Clock, type TimerHandle, systemClock } from '@tidings/jobs';
import type { DeadLetter, NewDeadLetter } from '../stores/dead-letters.js';
import type { AcknowledgementLedger } from '../stores/acknowledgement-ledger.js';
import { type Awaitable, after, all, guarded } from '../stores/awaitable.js';
import { MemoryAcknowledgementLedger } from '../stores/memory-acknowledgement-ledger.js';
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
  readonly deadLetters: { add(letter: NewDeadLetter): Awaitable<DeadLetter> };
  /** Which deliveries still wait, shared with the nodes that may acknowledge them. Default: this node's memory. */
  readonly ledger?: AcknowledgementLedger;
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
 *
 * The timers of a delivery are the sending node's; whether it still waits is
 * the ledger's, so in scaled mode an acknowledgement through another node
 * settles it, and this node's next timer finds that out instead of re-sending.
 */
export class AcknowledgementTracker {
  readonly policy: RetryPolicy;
  readonly metrics = { tracked: 0, acknowledged: 0, nacked: 0, resent: 0, deadLettered: 0, acknowledgedElsewhere: 0 };
  private readonly clock: Clock;
  private readonly ledger: AcknowledgementLedger;
  private readonly pending = new Map<string, Pending>();
  private readonly byConnection = new Map<string, Set<string>>();

  constructor(private readonly options: AcknowledgementTrackerOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    if (this.policy.maxAttempts < 1) throw new RangeError('maxAttempts must be at least 1.');
    this.clock = options.clock ?? systemClock;
    this.ledger = options.ledger ?? new MemoryAcknowledgementLedger();
  }

  /** Messages waiting for an acknowledgement. */
  get size(): number {
    return this.pending.size;
  }

  /** Starts waiting for `connectionId` to acknowledge a message it is sent now. */
  track(message: TrackedMessage): Awaitable<void> {
    const key = keyOf(message.payload.messageId, message.connectionId);
    if (this.pending.has(key)) return undefined;
    const entry: Pending = { ...message, attempts: 1, lastError: null, timer: undefined, firstSentAt: new Date(this.clock.now()).toISOString() };
    this.pending.set(key, entry);
    let keys = this.byConnection.get(message.connectionId);
    if (!keys) this.byConnection.set(message.connectionId, (keys = new Set()));
    keys.add(key);
    this.metrics.tracked++;
    this.schedule(key, entry, this.policy.ackTimeoutMs);
    const delivery = { messageId: message.payload.messageId, connectionId: message.connectionId, userIdentifier: message.userIdentifier };
    // Without the ledger the timers still re-send and dead-letter; only acknowledgements through other nodes are missed.
    return guarded(() => this.ledger.open(delivery), (error) => this.options.logger?.warn({ err: error, messageId: delivery.messageId }, 'recording a pending acknowledgement failed'));
  }

  /**
   * True when the message was waiting for this connection's acknowledgement, or
   * (from a connection it was not sent to) for another connection of the same user's.
   */
  acknowledge(messageId: string, connectionId: string, userIdentifier: string | null = null): Awaitable<boolean> {
    return after(this.ledger.acknowledge(messageId, connectionId, userIdentifier), (settled) => {
      for (const id of settled) {
        const key = keyOf(messageId, id);
        const entry = this.pending.get(key);
        if (entry) this.forget(key, entry);
      }
      this.metrics.acknowledged += settled.length;
      return settled.length > 0;
    });
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
  connectionClosed(connectionId: string): Awaitable<void> {
    const keys = [...(this.byConnection.get(connectionId) ?? [])];
    const letters = keys.map((key) => {
      const entry = this.pending.get(key);
      return entry ? this.deadLetter(key, entry, 'The connection closed before acknowledging the message.') : undefined;
    });
    return after(all(letters), () => undefined);
  }

  /** Stops every timer; what is still unacknowledged becomes dead letters. */
  close(reason = 'The server stopped before the message was acknowledged.'): Awaitable<void> {
    return after(all([...this.pending].map(([key, entry]) => this.deadLetter(key, entry, reason))), () => undefined);
  }

  private schedule(key: string, entry: Pending, delayMs: number): void {
    entry.timer = this.clock.setTimeout(() => this.expire(key, entry), delayMs);
  }

  private expire(key: string, entry: Pending): void {
    entry.timer = undefined;
    if (this.pending.get(key) !== entry) return;
    if (entry.attempts >= this.policy.maxAttempts) {
      void this.deadLetter(key, entry, `Not acknowledged after ${entry.attempts} deliveries.`);
      return;
    }
    void guarded(
      () =>
        after(this.ledger.pending(entry.payload.messageId, entry.connectionId), (waiting) => {
          // Acknowledged, or nacked (which scheduled its own re-send), while Redis answered.
          if (this.pending.get(key) !== entry || entry.timer !== undefined) return;
          if (waiting) this.resend(key, entry);
          else this.settledElsewhere(key, entry);
        }),
      // Redis away: re-send anyway (a duplicate the client recognises by its messageId beats a lost outcome).
      (error) => {
        this.options.logger?.warn({ err: error, messageId: entry.payload.messageId }, 'reading a pending acknowledgement failed');
        if (this.pending.get(key) === entry && entry.timer === undefined) this.resend(key, entry);
      },
    );
  }

  /** Acknowledged through another node: nothing more to do here. */
  private settledElsewhere(key: string, entry: Pending): void {
    this.forget(key, entry);
    this.metrics.acknowledgedElsewhere++;
  }

  private resend(key: string, entry: Pending): void {
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

  /** Dead-letters the delivery unless it was acknowledged through another node meanwhile. */
  private deadLetter(key: string, entry: Pending, reason: string): Awaitable<void> {
    this.forget(key, entry);
    const fail = (error: unknown) => this.options.logger?.error({ err: error, messageId: entry.payload.messageId }, 'storing a dead letter failed');
    return guarded(
      () =>
        after(this.ledger.giveUp(entry.payload.messageId, entry.connectionId), (waiting) => {
          if (!waiting) {
            this.metrics.acknowledgedElsewhere++;
            return undefined;
          }
          this.metrics.deadLettered++;
          return this.store(entry, reason);
        }),
      fail,
    );
  }

  private store(entry: Pending, reason: string): Awaitable<void> {
    return after(
      this.options.deadLetters.add({
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
      }),
      (letter) => this.options.onDeadLettered?.(letter),
    );
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
