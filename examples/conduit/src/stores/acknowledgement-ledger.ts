import type { Awaitable } from './awaitable.js';

/** A critical message sent to one connection, waiting for its acknowledgement. */
export interface Delivery {
  readonly messageId: string;
  readonly connectionId: string;
  /** The recipient (a virtual key id): its other connections may acknowledge for it. */
  readonly userIdentifier: string | null;
}

/**
 * Which deliveries of Conduit's critical messages are still waiting, shared by
 * whatever nodes send and acknowledge them (memory on one node, Redis in
 * scaled mode). The node that sent a delivery keeps its timers
 * (AcknowledgementTracker); this says whether it is still pending, and each
 * delivery is settled once: acknowledged, or given up on, never both.
 *
 * An acknowledgement from the connection that was sent the message settles that
 * delivery. One from a connection that was not sent it — the same virtual key
 * connected to another node, or reconnected — settles that key's pending
 * deliveries of the message (a message id is a random UUID only its recipients
 * see). A connection that was sent it and acknowledges again settles nothing more.
 */
export interface AcknowledgementLedger {
  open(delivery: Delivery): Awaitable<void>;
  /** The connections whose deliveries of `messageId` this acknowledgement settled (none: nothing was waiting for it). */
  acknowledge(messageId: string, connectionId: string, userIdentifier: string | null): Awaitable<readonly string[]>;
  /** Whether the delivery still waits (false once acknowledged through any node). */
  pending(messageId: string, connectionId: string): Awaitable<boolean>;
  /** Gives up on the delivery: true when it was still pending (so it is dead-lettered), false when it was settled already. */
  giveUp(messageId: string, connectionId: string): Awaitable<boolean>;
}
