import { after, before } from 'node:test';
import { type RedisServer, startRedisServer } from '../../../../test-support/redis-server.js';
import { type RunningService, startService, tempDir } from './service.js';

type ServiceOptions = NonNullable<Parameters<typeof startService>[1]>;

/** A real redis-server on a free port and the service on it, in-process (role `all` unless `config.role` says otherwise), for a whole `describe`. */
export function scaledServiceFixture(redisPrefix: string, options: ServiceOptions = {}): { readonly service: RunningService; readonly redis: RedisServer } {
  const dir = tempDir();
  let redis: RedisServer | undefined;
  let service: RunningService | undefined;
  before(async () => {
    redis = await startRedisServer();
    service = await startService(dir.path, { ...options, config: { role: 'all', ...options.config, redisUrl: redis.url, redisPrefix } });
  });
  after(async () => {
    await service?.close();
    await redis?.stop();
    dir.cleanup();
  });
  return {
    get service() {
      if (!service) throw new Error('the service is not started yet');
      return service;
    },
    get redis() {
      if (!redis) throw new Error('redis-server is not started yet');
      return redis;
    },
  };
}
