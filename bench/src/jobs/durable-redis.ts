import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { type RedisServer, startRedisServer } from '../../../test-support/redis-server.js';

const AOF_READY_TIMEOUT_MS = 10_000;

/**
 * A private redis-server on a free port (never the system Redis at 6379) with
 * the append-only file on (`appendfsync everysec`, Redis's default), as BullMQ
 * and tidings' Redis store are run when jobs must survive a restart.
 */
export async function startDurableRedis(): Promise<RedisServer> {
  const server = await startRedisServer();
  const redis = new Redis(server.url, { lazyConnect: true });
  try {
    await redis.connect();
    await redis.config('SET', 'appendonly', 'yes');
    // Turning AOF on rewrites the (empty) data set in the background; wait until it is on.
    for (const started = Date.now(); ; await sleep(50)) {
      const info = await redis.info('persistence');
      if (/^aof_enabled:1/m.test(info) && /^aof_rewrite_in_progress:0/m.test(info)) break;
      if (Date.now() - started > AOF_READY_TIMEOUT_MS) throw new Error('redis-server did not turn its append-only file on.');
    }
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    redis.disconnect();
  }
  return server;
}
