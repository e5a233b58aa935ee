import { Hub, HubException, hubMethod } from '@tidings/hub';
import type { AcknowledgementTracker } from './acknowledgement-tracker.js';
import type { ConnectionRegistry } from './connection-registry.js';

/** What a reliable hub runs on: where it is mapped, the registry and the tracker, and its own connect work. */
export interface ReliableHubRuntime {
  readonly path: string;
  readonly registry: ConnectionRegistry;
  readonly tracker: AcknowledgementTracker;
  /** Hub-specific connect work (joining groups), after the connection is registered. */
  connected?(hub: AcknowledgingHub): Promise<void>;
}

/**
 * Base of hubs whose clients acknowledge messages:
 * `AcknowledgeMessage(messageId)`, `NackMessage(messageId, error)` and
 * `Ping()` on every such hub. Connections are registered so critical
 * messages know whom to wait for; a closing connection dead-letters what it
 * never acknowledged.
 */
export abstract class AcknowledgingHub extends Hub {
  constructor(protected readonly runtime: ReliableHubRuntime) {
    super();
  }

  override async onConnected(): Promise<void> {
    this.runtime.registry.connected(this.runtime.path, this.context);
    await this.runtime.connected?.(this);
  }

  override async onDisconnected(): Promise<void> {
    this.runtime.registry.disconnected(this.context.connectionId);
    await this.runtime.tracker.connectionClosed(this.context.connectionId);
  }

  /**
   * True when the message was waiting for this connection's acknowledgement —
   * or, sent to another connection of the same virtual key (on another node, say), for that one's.
   */
  @hubMethod('AcknowledgeMessage')
  async acknowledgeMessage(messageId: unknown): Promise<boolean> {
    return this.runtime.tracker.acknowledge(requireMessageId(messageId), this.context.connectionId, this.context.userIdentifier ?? null);
  }

  /** The client could not process the message; it is re-sent after the backoff, or dead-lettered. */
  @hubMethod('NackMessage')
  nackMessage(messageId: unknown, error: unknown): boolean {
    const reason = typeof error === 'string' ? error.slice(0, 1000) : null;
    return this.runtime.tracker.nack(requireMessageId(messageId), this.context.connectionId, reason);
  }

  /** For measuring round trips. */
  @hubMethod('Ping')
  ping(): { pong: true; serverTime: string } {
    return { pong: true, serverTime: new Date().toISOString() };
  }
}

function requireMessageId(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
    throw new HubException('messageId must be the messageId of a message this hub sent (a non-empty string).');
  }
  return value;
}
