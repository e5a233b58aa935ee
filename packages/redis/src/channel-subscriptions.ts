import type { HubLogger } from '@tidings/hub';
import type { RedisLink } from './redis-link.js';

const RESUBSCRIBE_BATCH = 1000;
const RETRY_MS = 1000;

interface PendingSubscribe {
  readonly done: Promise<void>;
  release(): void;
}

/**
 * The channels this node wants, kept as a set. Redis is told about changes
 * while connected; after a reconnect the whole set is subscribed again (a new
 * connection starts with none), so no change made during an outage is lost.
 */
export class ChannelSubscriptions {
  private readonly wanted = new Set<string>();
  /** Subscribes in flight, so a second caller can wait for the same one. */
  private readonly pending = new Map<string, PendingSubscribe>();
  /** Whether the current connection has been given the whole set. */
  private synced = false;
  private syncedWaiters: (() => void)[] = [];

  constructor(
    private readonly link: RedisLink,
    private readonly logger: HubLogger,
  ) {
    link.client.on('close', () => {
      this.synced = false;
      // Waiting for a connection that is gone could take as long as the outage: the next sync covers them.
      for (const entry of this.pending.values()) entry.release();
      this.pending.clear();
      this.releaseWaiters();
    });
    link.onReady(() => this.resubscribe());
  }

  /**
   * Whether the connection is up and the channels wanted before it came up are
   * subscribed again. A channel joined since (a SUBSCRIBE in flight) is normal
   * operation, not ill health: health checks read this, and must not flap with churn.
   */
  get settled(): boolean {
    return this.link.isReady && this.synced;
  }

  /**
   * Wants `channel`; resolves once Redis confirms, so a publish issued after
   * it reaches this node. While Redis is away it resolves at once, as it does
   * when the connection drops meanwhile: the channel is subscribed on
   * reconnect. Never rejects: failures are logged.
   */
  ensure(channel: string): Promise<void> {
    if (this.wanted.has(channel)) {
      if (!this.link.isReady) return Promise.resolve();
      return this.pending.get(channel)?.done ?? (this.synced ? Promise.resolve() : this.whenSynced());
    }
    this.wanted.add(channel);
    if (!this.link.isReady) return Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const entry: PendingSubscribe = { done, release };
    this.pending.set(channel, entry);
    this.link.client.subscribe(channel).then(
      () => this.settle(channel, entry),
      (error: Error) => {
        this.logger.warn({ channel, error: error.message }, 'subscribe failed; retried on reconnect');
        this.settle(channel, entry);
      },
    );
    return done;
  }

  release(channel: string): void {
    if (!this.wanted.delete(channel)) return;
    this.pending.delete(channel);
    if (!this.link.isReady) return;
    this.link.client.unsubscribe(channel).catch((error: Error) => {
      this.logger.debug({ channel, error: error.message }, 'unsubscribe failed');
    });
  }

  private settle(channel: string, entry: PendingSubscribe): void {
    if (this.pending.get(channel) === entry) this.pending.delete(channel);
    entry.release();
  }

  private whenSynced(): Promise<void> {
    return new Promise((resolve) => this.syncedWaiters.push(resolve));
  }

  private releaseWaiters(): void {
    const waiters = this.syncedWaiters;
    this.syncedWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private resubscribe(): void {
    const channels = [...this.wanted];
    const batches: Promise<unknown>[] = [];
    for (let i = 0; i < channels.length; i += RESUBSCRIBE_BATCH) {
      batches.push(this.link.client.subscribe(...channels.slice(i, i + RESUBSCRIBE_BATCH)));
    }
    Promise.all(batches).then(
      () => {
        if (!this.link.isReady) return;
        this.synced = true;
        this.releaseWaiters();
        if (channels.length > 0) this.logger.debug({ channels: channels.length }, 'subscribed this node’s channels');
      },
      (error: Error) => {
        // A failure on a live connection (a timeout, say) would otherwise leave channels deaf until the next reconnect.
        this.logger.warn({ error: error.message }, 'subscribing this node’s channels failed; trying again');
        setTimeout(() => this.link.isReady && this.resubscribe(), RETRY_MS).unref();
      },
    );
  }
}
