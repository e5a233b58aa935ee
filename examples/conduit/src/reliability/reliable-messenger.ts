import type { HubClients } from '@tidings/hub';
import { type Clock, systemClock } from '@tidings/jobs';
import type { AcknowledgementTracker } from './acknowledgement-tracker.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { MessageBatcher } from './message-batcher.js';
import { type Enveloped, envelope } from './message-envelope.js';

/**
 * A hub to send through: its path (for the registry and dead letters), its
 * clients, and how far they reach: `cluster` (every node's connections, the
 * hub context's `clients`) or `node` (only this node's, its `local.clients`).
 */
export interface HubTarget {
  readonly path: string;
  readonly reach: 'cluster' | 'node';
  readonly clients: HubClients;
}

export interface MessageOptions {
  /** Ties related messages together (a task's id, say). */
  readonly correlationId?: string | null;
}

/**
 * Conduit's sending rules in one place: every message gets an envelope;
 * high-frequency ones go through the 100 ms batcher; critical ones are sent at
 * once (after whatever the batcher holds, so they never overtake it) and
 * tracked until each recipient connection on this node acknowledges them
 * (through any node, in scaled mode).
 */
export class ReliableMessenger {
  private readonly clock: Clock;

  constructor(
    private readonly deps: {
      readonly registry: ConnectionRegistry;
      readonly tracker: AcknowledgementTracker;
      readonly batcher: MessageBatcher;
      readonly clock?: Clock;
    },
  ) {
    this.clock = deps.clock ?? systemClock;
  }

  /** Sends now. */
  async send<T extends object>(hub: HubTarget, groups: readonly string[], method: string, payload: T, options: MessageOptions = {}): Promise<Enveloped<T>> {
    const message = this.envelope(payload, options);
    await hub.clients.groups(groups).send(method, message);
    return message;
  }

  /** Sends now to one connection. */
  async sendTo<T extends object>(hub: HubTarget, connectionId: string, method: string, payload: T, options: MessageOptions = {}): Promise<Enveloped<T>> {
    const message = this.envelope(payload, options);
    await hub.clients.client(connectionId).send(method, message);
    return message;
  }

  /** Sends what the batcher holds (before a newcomer joins a group, so it never gets older news after newer). */
  flush(): Promise<void> {
    return this.deps.batcher.flush();
  }

  /** Sends within the batch window; a newer message with the same `coalesceKey` replaces this one. */
  queue<T extends object>(hub: HubTarget, groups: readonly string[], method: string, payload: T, options: MessageOptions & { readonly coalesceKey?: string } = {}): void {
    const message = this.envelope(payload, options);
    // The reach is part of the key: a node-local message never replaces a cluster-wide one, nor the reverse.
    const coalesceKey = options.coalesceKey === undefined ? undefined : `${hub.path}|${hub.reach}|${groups.join(',')}|${method}|${options.coalesceKey}`;
    // Sent later from the batcher's timer, through the clients of the target it was queued for.
    this.deps.batcher.enqueue({ coalesceKey, send: () => hub.clients.groups(groups).send(method, message) });
  }

  /** Sends now and re-sends to each local recipient until it acknowledges. */
  async sendCritical<T extends object>(hub: HubTarget, groups: readonly string[], method: string, payload: T, options: MessageOptions = {}): Promise<Enveloped<T>> {
    await this.deps.batcher.flush();
    const message = this.envelope(payload, options);
    const recipients = this.deps.registry.membersOf(hub.path, groups);
    // Recorded before the send: an acknowledgement through another node may come back before a later write would land.
    await Promise.all(
      recipients.map((recipient) =>
        this.deps.tracker.track({ hub: hub.path, method, payload: message, connectionId: recipient.connectionId, userIdentifier: recipient.userIdentifier }),
      ),
    );
    await hub.clients.groups(groups).send(method, message);
    return message;
  }

  /** A critical message to one connection. */
  async sendCriticalTo<T extends object>(hub: HubTarget, connectionId: string, method: string, payload: T, options: MessageOptions = {}): Promise<Enveloped<T>> {
    await this.deps.batcher.flush();
    const message = this.envelope(payload, options);
    const userIdentifier = this.deps.registry.get(connectionId)?.userIdentifier ?? null;
    await this.deps.tracker.track({ hub: hub.path, method, payload: message, connectionId, userIdentifier });
    await hub.clients.client(connectionId).send(method, message);
    return message;
  }

  private envelope<T extends object>(payload: T, options: MessageOptions): Enveloped<T> {
    return envelope(payload, { correlationId: options.correlationId, now: this.clock.now() });
  }
}
