import type { HubLogger } from '@tidings/hub';
import type { JobType, JsonValue } from '@tidings/jobs';
import type { RedisOptions } from 'ioredis';
import type { RedisSource } from '@tidings/redis/link';
import type { JobWorkerOptions } from './job-worker.js';
import { RedisJobCluster } from './redis-job-cluster.js';

export interface StartJobWorkerOptions extends JobWorkerOptions {
  /** A Redis URL, ioredis options, or an ioredis client (duplicated; you keep and close yours). */
  readonly redis: RedisSource;
  readonly redisOptions?: RedisOptions;
  /** Prefix of every key and channel: the same as the API nodes'. Default `tidings`. */
  readonly prefix?: string;
  /** The job types this worker runs: the same definitions the API nodes register. */
  readonly types: readonly JobType<never, JsonValue>[];
  /** Unique per process. Default: host name, pid and a random suffix. */
  readonly nodeId?: string;
  readonly connectTimeoutMs?: number;
  readonly logger?: HubLogger;
}

/** A running worker process's jobs side: close it on SIGTERM. */
export interface RunningJobWorker {
  readonly nodeId: string;
  /** Redis is reachable by the worker and the store. */
  readonly connected: boolean;
  /** Jobs running here now. */
  readonly running: number;
  /** Running jobs get the grace period to checkpoint and go back to the queue; then the connections close. */
  close(): Promise<void>;
}

/**
 * A worker process built from job types alone: it runs `types` on BullMQ
 * against the Redis store — no HTTP server, no hubs. The API nodes enqueue
 * with the same definitions (`RedisJobCluster.register`), so one plain module
 * listing the types is all the two share.
 *
 * ```ts
 * const worker = await startJobWorker({ redis: process.env.REDIS_URL!, types: [resize, transcribe], concurrency: 4 });
 * process.once('SIGTERM', () => void worker.close());
 * ```
 */
export async function startJobWorker(options: StartJobWorkerOptions): Promise<RunningJobWorker> {
  const { redis, redisOptions, prefix, types, nodeId, connectTimeoutMs, logger, ...workerOptions } = options;
  if (types.length === 0) throw new TypeError('A job worker needs at least one job type.');
  const cluster = new RedisJobCluster({ redis, redisOptions, prefix, nodeId, connectTimeoutMs, logger });
  try {
    for (const type of types) cluster.register(type);
    await cluster.ready();
    const worker = cluster.worker(workerOptions);
    await worker.start();
    return {
      nodeId: cluster.nodeId,
      get connected() {
        return cluster.connected && worker.connected;
      },
      get running() {
        return worker.running;
      },
      close: () => cluster.close(),
    };
  } catch (error) {
    await cluster.close().catch(() => undefined);
    throw error;
  }
}
