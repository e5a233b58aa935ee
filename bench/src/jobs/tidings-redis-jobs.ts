import { silentLogger } from '@tidings/hub';
import type { JobProcessor } from '@tidings/jobs';
import { Redis } from 'ioredis';
import { EventCounter } from './event-counter.js';
import type { JobBench, JobBenchOptions } from './job-bench.js';
import { progressStepsJob } from './progress-steps-job.js';
import { withRedisCpuMicros } from './redis-cpu.js';
import { RedisJobCluster } from './redis-jobs-package.js';

/**
 * Scaled mode in one process: the Redis job store and a BullMQ worker running
 * the processors, an API engine whose sink counts the progress events it reads
 * from the cluster's feed.
 */
export async function startTidingsRedisJobs(options: JobBenchOptions): Promise<JobBench> {
  if (!options.redisUrl) throw new Error('tidings-redis needs a redis-server.');
  const cluster = new RedisJobCluster({ redis: options.redisUrl, prefix: 'bench', logger: silentLogger });
  const { name, process, options: typeOptions } = progressStepsJob;
  cluster.define(name, ((job, ctx) => process(job as never, ctx)) as JobProcessor, typeOptions);
  await cluster.ready();
  const engine = cluster.engine();
  const counter = new EventCounter();
  engine.addSink({ name: 'bench', deliver: (event) => (event.kind === 'progress' ? counter.add() : undefined) });
  await engine.start();
  const worker = cluster.worker({ concurrency: options.concurrency });
  await worker.start();
  const info = new Redis(options.redisUrl);
  return {
    round: (jobs, steps) => counter.round(jobs * steps, () => Promise.all(Array.from({ length: jobs }, () => engine.enqueue({ type: name, ownerId: 'bench', input: { steps } })))),
    cpuMicros: () => withRedisCpuMicros(info),
    async close() {
      await cluster.close();
      info.disconnect();
    },
  };
}
