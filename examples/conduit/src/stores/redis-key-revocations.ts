import type { Redis } from 'ioredis';
import type { KeyRevocations } from './key-revocations.js';

/**
 * Revocations through Redis pub/sub (`{prefix}:conduit:keys:revoked`): every
 * node closes its own connections of a revoked key as soon as it hears of it.
 * A node whose subscription dropped hears `missed()` once it is back, and checks
 * the keys of its open connections, so an announcement lost meanwhile is not.
 */
export class RedisKeyRevocations implements KeyRevocations {
  private readonly channel: string;
  private readonly listeners: { revoked(id: string): void; missed(): void }[] = [];
  private subscribedOnce = false;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    prefix: string,
  ) {
    this.channel = `${prefix}:conduit:keys:revoked`;
    subscriber.on('message', (channel: string, id: string) => {
      if (channel === this.channel) for (const listener of this.listeners) listener.revoked(id);
    });
    // ioredis re-subscribes by itself after a reconnect; what was published in between is lost.
    subscriber.on('ready', () => {
      if (this.subscribedOnce) for (const listener of this.listeners) listener.missed();
    });
  }

  /** Subscribes; resolves once Redis confirmed it. */
  async start(): Promise<void> {
    await this.subscriber.subscribe(this.channel);
    this.subscribedOnce = true;
  }

  async announce(id: string): Promise<void> {
    await this.publisher.publish(this.channel, id);
  }

  listen(listener: { revoked(id: string): void; missed(): void }): void {
    this.listeners.push(listener);
  }
}
