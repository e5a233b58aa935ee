import { join } from 'node:path';
import { InProcessRunner, JobEngine, SqliteJobStore } from '@tidings/jobs';
import { cpuMicros } from '../clock.js';
import { EventCounter } from './event-counter.js';
import type { JobBench, JobBenchOptions } from './job-bench.js';
import { progressStepsJob } from './progress-steps-job.js';

/** The embedded default: `JobEngine` on a SQLite file, the in-process runner, a sink counting progress events. */
export async function startTidingsSqliteJobs(options: JobBenchOptions): Promise<JobBench> {
  const store = new SqliteJobStore(join(options.dataDir, 'jobs.db'));
  const engine = new JobEngine({ store, runner: new InProcessRunner({ concurrency: options.concurrency }) });
  engine.register(progressStepsJob);
  const counter = new EventCounter();
  engine.addSink({ name: 'bench', deliver: (event) => (event.kind === 'progress' ? counter.add() : undefined) });
  await engine.start();
  return {
    round: (jobs, steps) => counter.round(jobs * steps, () => Promise.all(Array.from({ length: jobs }, () => engine.enqueue({ type: progressStepsJob.name, ownerId: 'bench', input: { steps } })))),
    cpuMicros: async () => cpuMicros(),
    async close() {
      await engine.stop();
      await store.close();
    },
  };
}
