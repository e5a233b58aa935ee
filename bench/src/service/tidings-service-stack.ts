import { defineJobType } from '@tidings/jobs';
import { cpuMicros, monotonicMicros } from '../clock.js';
import { StepsInput, stepProgress } from '../jobs/progress-steps-job.js';
import { RoundGate, stampMessage } from './round-gate.js';
import type { ServiceStack, ServiceStackOptions } from './service-stack.js';
import { startTidingsService } from './tidings-service-adapter.js';

/**
 * The tidings service as people run it: SQLite, the notifier, seed 001's
 * `/hubs/job-progress`. Each step's status message carries its call time.
 */
export async function startTidingsServiceStack(options: ServiceStackOptions): Promise<ServiceStack> {
  const gate = new RoundGate();
  const stampedSteps = defineJobType({
    name: 'BenchStampedSteps',
    input: StepsInput,
    async process(job, ctx) {
      await gate.park();
      for (let step = 1; step <= job.input.steps; step++) await ctx.progress(stepProgress(step, job.input.steps), stampMessage(monotonicMicros()));
      gate.done();
    },
  });
  const service = await startTidingsService({ dataDir: options.dataDir, concurrency: options.concurrency, jobType: stampedSteps });
  return {
    url: service.url,
    async prepare(jobs, steps) {
      await gate.settled;
      const { parked } = gate.arm(jobs);
      const ids = await Promise.all(Array.from({ length: jobs }, () => service.enqueue(stampedSteps.name, { steps })));
      await parked;
      return ids;
    },
    release() {
      const at = monotonicMicros();
      gate.open();
      return at;
    },
    cpuMicros: async () => cpuMicros(),
    close: () => service.close(),
  };
}
