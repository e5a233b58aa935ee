import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { bullMqConnection, closeBullMq } from './bullmq-connection.js';
import { EventCounter } from './event-counter.js';
import type { JobBench, JobBenchOptions } from './job-bench.js';
import { stepProgress } from './progress-steps-job.js';
import { withRedisCpuMicros } from './redis-cpu.js';

const QUEUE = 'bench';

/** What a BullMQ user would write: a Queue, a Worker calling `job.updateProgress`, `QueueEvents` receiving the progress. */
export async function startBullMqJobs(options: JobBenchOptions): Promise<JobBench> {
  if (!options.redisUrl) throw new Error('bullmq needs a redis-server.');
  const connection = bullMqConnection(options.redisUrl);
  const queue = new Queue<{ steps: number }>(QUEUE, { connection });
  const events = new QueueEvents(QUEUE, { connection });
  const counter = new EventCounter();
  events.on('progress', () => counter.add());
  await events.waitUntilReady();
  const worker = new Worker<{ steps: number }>(
    QUEUE,
    async (job) => {
      for (let step = 1; step <= job.data.steps; step++) await job.updateProgress(stepProgress(step, job.data.steps));
    },
    { connection, concurrency: options.concurrency },
  );
  await worker.waitUntilReady();
  const info = new Redis(options.redisUrl);
  return {
    round: (jobs, steps) => counter.round(jobs * steps, () => queue.addBulk(Array.from({ length: jobs }, () => ({ name: 'progress', data: { steps } })))),
    cpuMicros: () => withRedisCpuMicros(info),
    async close() {
      await closeBullMq(worker, events, queue);
      info.disconnect();
    },
  };
}
