import { Redis } from 'ioredis';
import type { Logger } from '@tidings/server';
import type { ConduitStores } from './conduit-stores.js';
import { RedisAcknowledgementLedger } from './redis-acknowledgement-ledger.js';
import { RedisDeadLetterStore } from './redis-dead-letter-store.js';
import { RedisKeyRevocations } from './redis-key-revocations.js';
import { RedisSpendLedger } from './redis-spend-ledger.js';
import { RedisVirtualKeyStore } from './redis-virtual-key-store.js';

export interface RedisConduitStoresOptions {
  /** `REDIS_URL`. */
  readonly url: string;
  /** `REDIS_PREFIX`: every key and channel starts with `{prefix}:conduit:`. */
  readonly prefix: string;
  /** Told once per outage that Redis is away, and when it is back. */
  readonly logger?: Logger;
}

/**
 * The stores of a scaled service, shared by every API node through Redis: two
 * connections (commands, and the revocation subscription). A command while
 * Redis is away fails after a few retries (the REST call answers 5xx) rather than waiting.
 */
export function redisConduitStores(options: RedisConduitStoresOptions): ConduitStores {
  const connection = (role: string) => {
    const redis = new Redis(options.url, { maxRetriesPerRequest: 2, lazyConnect: true });
    // ioredis retries on its own; one line per outage, not one per retry.
    let away = false;
    redis.on('error', (error: Error) => {
      if (!away) options.logger?.warn({ err: error, role }, "Conduit's Redis connection is away; its REST calls fail until it is back");
      away = true;
    });
    redis.on('ready', () => {
      if (away) options.logger?.info({ role }, "Conduit's Redis connection is back");
      away = false;
    });
    return redis;
  };
  const redis = connection('commands');
  const subscriber = connection('revocations');
  const keys = new RedisVirtualKeyStore(redis, options.prefix);
  const revocations = new RedisKeyRevocations(redis, subscriber, options.prefix);
  return {
    keys,
    spend: new RedisSpendLedger(redis, options.prefix, keys),
    deadLetters: new RedisDeadLetterStore(redis, options.prefix),
    acknowledgements: new RedisAcknowledgementLedger(redis, options.prefix),
    revocations,
    start: async () => {
      await Promise.all([redis.connect(), subscriber.connect()]);
      await revocations.start();
    },
    close: async () => {
      await Promise.allSettled([redis.quit(), subscriber.quit()]);
    },
  };
}
