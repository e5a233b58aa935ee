import type { HubLogger } from '@tidings/hub';
import { Redis, type RedisOptions } from 'ioredis';
import { BackplaneUnavailableError } from './errors.js';

export type RedisSource = string | RedisOptions | Redis;

function createClient(source: RedisSource, options: RedisOptions): Redis {
  if (source instanceof Redis) return source.duplicate(options);
  if (typeof source === 'string') return new Redis(source, options);
  return new Redis({ ...source, ...options });
}

/**
 * One ioredis connection of the backplane. Commands never wait in an offline
 * queue: while Redis is away they fail at once (and so do commands cut off by
 * a disconnect, unless resent), and whoever needs state in
 * Redis re-establishes it from `onReady`, called after every (re)connect once
 * ioredis has resent whatever it resends, so nothing stale lands after it.
 */
export class RedisLink {
  readonly client: Redis;
  private everReady = false;
  private outage = false;
  private closed = false;
  private readonly firstReady: Promise<void>;

  constructor(
    readonly role: string,
    source: RedisSource,
    userOptions: RedisOptions,
    overrides: RedisOptions,
    private readonly logger: HubLogger,
    private readonly connectTimeoutMs: number,
  ) {
    const options: RedisOptions = { ...userOptions, ...overrides, enableOfflineQueue: false, autoResubscribe: false, lazyConnect: false };
    // ioredis leaves a command cut off by a disconnect pending until its `commandTimeout` (forever without
    // one) when it will not resend it: with no retries it fails at once, like a command sent while Redis is away.
    if (options.autoResendUnfulfilledCommands === false) options.maxRetriesPerRequest = 0;
    this.client = createClient(source, options);
    this.firstReady = new Promise((resolve) => this.client.once('ready', () => resolve()));
    this.client.on('ready', () => {
      if (this.outage) this.logger.info({ role }, 'reconnected to Redis');
      this.everReady = true;
      this.outage = false;
    });
    // Without a listener ioredis would print every retry; one warning per outage is enough.
    this.client.on('error', (error: Error) => {
      if (this.closed) return;
      if (!this.outage) {
        this.outage = true;
        this.logger.warn({ role, error: error.message }, 'Redis connection error; retrying');
      } else {
        this.logger.debug({ role, error: error.message }, 'Redis still unavailable');
      }
    });
    this.client.on('close', () => {
      if (this.closed || this.outage || !this.everReady) return;
      this.outage = true;
      this.logger.warn({ role }, 'lost the connection to Redis; reconnecting');
    });
  }

  get isReady(): boolean {
    return this.client.status === 'ready';
  }

  /** Runs `listener` after every connect and reconnect. */
  onReady(listener: () => void): void {
    this.client.on('ready', listener);
  }

  /**
   * Resolves when commands can be sent. Before the first connection it waits
   * (bounded); after that an outage fails fast instead of queueing stale work.
   */
  async usable(): Promise<void> {
    if (this.isReady) return;
    if (this.closed) throw new BackplaneUnavailableError('The Redis backplane has been closed.');
    if (!this.everReady) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new BackplaneUnavailableError(`Could not connect to Redis within ${this.connectTimeoutMs} ms.`)),
          this.connectTimeoutMs,
        );
      });
      try {
        await Promise.race([this.firstReady, timeout]);
      } finally {
        clearTimeout(timer);
      }
      if (this.isReady) return;
    }
    throw new BackplaneUnavailableError(`Redis is unavailable (connection ${this.client.status}).`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.isReady) {
      try {
        await this.client.quit();
        return;
      } catch {
        // fall through: drop the socket
      }
    }
    this.client.disconnect();
  }
}
