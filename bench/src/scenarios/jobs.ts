import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDurableRedis } from '../jobs/durable-redis.js';
import { JOB_SYSTEM_NAMES, type JobSystemName } from '../jobs/job-bench.js';
import type { JobsCommands } from '../jobs/jobs-worker.js';
import { Worker } from '../rpc.js';
import { median } from './median.js';
import { type Scenario, type ScenarioResult, emptyFigures } from './scenario.js';
import { backplaneMissing } from './system-session.js';

const JOBS_ENTRY = new URL('../jobs/jobs-worker.ts', import.meta.url);

export const JOBS_NAME = 'Job events';

const ON_REDIS: ReadonlySet<JobSystemName> = new Set(['tidings-redis', 'bullmq']);

interface JobRoundFigures {
  readonly eventsPerSec: number;
  readonly serverCpuNsPerDelivery: number;
}

/**
 * Job events delivered per second: `jobs` jobs of `steps` progress steps
 * through each job system, from the first enqueue to the last progress event
 * at the receiving end (tidings: a sink of the engine; BullMQ: `QueueEvents`),
 * `concurrency` jobs at once. tidings on SQLite (the embedded default, a file
 * in a fresh directory), tidings on Redis (its Redis store and BullMQ runner)
 * and BullMQ (`job.updateProgress`), the last two on a fresh private
 * redis-server with the append-only file on. Server CPU is the worker
 * process's plus redis-server's.
 */
export const jobEvents: Scenario = {
  id: 'jobs',
  name: JOBS_NAME,
  async run({ config, log, wants }) {
    const { jobs, steps, concurrency, warmupJobs, repetitions } = config.jobs;
    const results: ScenarioResult[] = [];
    const missing = backplaneMissing();
    for (const system of JOB_SYSTEM_NAMES.filter((name) => wants(name))) {
      if (ON_REDIS.has(system) && missing) {
        log(`  ${system} skipped: ${missing}`);
        continue;
      }
      const redis = ON_REDIS.has(system) ? await startDurableRedis() : undefined;
      const dataDir = await mkdtemp(join(tmpdir(), 'tidings-bench-jobs-'));
      const worker = Worker.start<JobsCommands>(`${system} jobs`, JOBS_ENTRY);
      try {
        await worker.call('start', { system, concurrency, dataDir, redisUrl: redis?.url });
        const round = async (count: number): Promise<JobRoundFigures> => {
          const before = await worker.call('cpu', null);
          const { startedAtUs, lastAtUs } = await worker.call('round', { jobs: count, steps });
          const after = await worker.call('cpu', null);
          const events = count * steps;
          return { eventsPerSec: events / ((lastAtUs - startedAtUs) / 1e6), serverCpuNsPerDelivery: ((after - before) * 1000) / events };
        };
        await round(warmupJobs);
        const rounds: JobRoundFigures[] = [];
        for (let i = 0; i < repetitions; i++) rounds.push(await round(jobs));
        const samples = rounds.map((r) => Math.round(r.eventsPerSec));
        const eventsPerSec = Math.round(median(samples));
        const serverCpuNsPerDelivery = Math.round(median(rounds.map((r) => r.serverCpuNsPerDelivery)));
        log(`  ${system}: ${eventsPerSec.toLocaleString('en-US')} events/s [${samples.join(', ')}]; server CPU per event ${serverCpuNsPerDelivery} ns`);
        results.push({
          name: JOBS_NAME,
          system,
          clients: concurrency,
          messages: jobs * steps,
          ...emptyFigures(),
          deliveriesPerSec: eventsPerSec,
          samples,
          serverCpuNsPerDelivery,
          clientCpuNsPerDelivery: null,
          note: `${jobs} jobs × ${steps} steps, concurrency ${concurrency}`,
        });
        await worker.call('close', null);
      } finally {
        await worker.stop();
        await redis?.stop();
        await rm(dataDir, { recursive: true, force: true });
      }
    }
    return results;
  },
};
