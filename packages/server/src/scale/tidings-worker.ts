import { type RunningJobWorker, startJobWorker } from '@tidings/redis-jobs';
import type { ServerConfig } from '../config.js';
import type { ProcessorSet } from '../demo/simulated-processors.js';
import { serviceJobTypes } from '../job-types.js';
import type { Logger } from '../logger.js';
import { loadPlugins } from '../plugins/load-plugins.js';

export interface TidingsWorkerOptions {
  readonly config: ServerConfig;
  readonly logger: Logger;
  /** Processors that replace the seed 001 demo pipeline, as `createTidingsServer` takes them. */
  readonly processors?: ProcessorSet;
  /** At most one ordinary progress event per job per this many ms. Default 1000. */
  readonly throttleIntervalMs?: number;
}

/**
 * A worker process of the scaled service (ROLE=worker): the service's job
 * types on BullMQ, from the same list the API nodes register — no HTTP
 * server, no hubs.
 */
export async function startTidingsWorker(options: TidingsWorkerOptions): Promise<RunningJobWorker> {
  const { config, logger } = options;
  if (!config.redisUrl || config.role !== 'worker') throw new Error('A tidings worker needs REDIS_URL and ROLE=worker.');
  return startJobWorker({
    redis: config.redisUrl,
    prefix: config.redisPrefix,
    // The plugins' job types too: the modules TIDINGS_PLUGINS names, imported without building their hubs or routes.
    types: serviceJobTypes({ demoSpeed: config.demoSpeed, processors: options.processors, plugins: await loadPlugins(config) }),
    concurrency: config.jobConcurrency,
    lockDurationMs: config.jobLockMs,
    logger: logger.child({ component: 'redis-jobs' }),
    engine: { logger: logger.child({ component: 'worker' }), shutdownGraceMs: config.shutdownGraceMs, throttleIntervalMs: options.throttleIntervalMs },
  });
}
