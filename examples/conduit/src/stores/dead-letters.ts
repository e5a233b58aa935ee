import type { Awaitable } from './awaitable.js';

/** A message that was never acknowledged, kept for inspection (Conduit's dead-letter queue). */
export interface DeadLetter {
  readonly id: number;
  readonly messageId: string;
  /** Path of the hub that sent it. */
  readonly hub: string;
  /** The client method (event name). */
  readonly method: string;
  readonly connectionId: string;
  /** The recipient's user identifier (a virtual key id), if any. */
  readonly userIdentifier: string | null;
  /** The message as last sent. */
  readonly payload: unknown;
  /** Deliveries made, the first one included. */
  readonly attempts: number;
  readonly reason: string;
  /** What the client said when it refused the message (NackMessage), if it did. */
  readonly lastError: string | null;
  readonly firstSentAt: string;
  readonly deadLetteredAt: string;
}

export type NewDeadLetter = Omit<DeadLetter, 'id'>;

export interface DeadLetterQuery {
  readonly limit?: number;
  readonly offset?: number;
  readonly hub?: string;
  readonly userIdentifier?: string;
}

/**
 * Conduit's dead-letter list: one SQLite table of one node, or one list in
 * Redis that every node of a scaled service writes and reads. Newest first;
 * the oldest are pruned past a maximum.
 */
export interface DeadLetters {
  add(letter: NewDeadLetter): Awaitable<DeadLetter>;
  list(options?: DeadLetterQuery): Awaitable<DeadLetter[]>;
  count(): Awaitable<number>;
  /** Removes one letter (after handling it by hand); false when there was none. */
  remove(id: number): Awaitable<boolean>;
  clear(): Awaitable<number>;
}
