import { type CommandHandlers, serveCommands } from '../rpc.js';
import type { JobBench, JobBenchOptions, JobRound, JobSystemName } from './job-bench.js';

export type JobsCommands = {
  start: { arg: { system: JobSystemName } & JobBenchOptions; result: null };
  round: { arg: { jobs: number; steps: number }; result: JobRound };
  /** CPU µs the server side has used so far (this process, and redis-server for the systems on Redis). */
  cpu: { arg: null; result: number };
  close: { arg: null; result: null };
};

/** Loads only the system asked for. */
async function startJobSystem(system: JobSystemName, options: JobBenchOptions): Promise<JobBench> {
  switch (system) {
    case 'tidings-sqlite':
      return (await import('./tidings-sqlite-jobs.js')).startTidingsSqliteJobs(options);
    case 'tidings-redis':
      return (await import('./tidings-redis-jobs.js')).startTidingsRedisJobs(options);
    case 'bullmq':
      return (await import('./bullmq-jobs.js')).startBullMqJobs(options);
  }
}

let bench: JobBench | undefined;

function running(): JobBench {
  if (!bench) throw new Error('No job system started.');
  return bench;
}

const handlers: CommandHandlers<JobsCommands> = {
  async start({ system, ...options }) {
    if (bench) throw new Error('A job system is already running in this worker.');
    bench = await startJobSystem(system, options);
    return null;
  },
  round: ({ jobs, steps }) => running().round(jobs, steps),
  cpu: () => running().cpuMicros(),
  async close() {
    await bench?.close();
    bench = undefined;
    return null;
  },
};

serveCommands(handlers);
