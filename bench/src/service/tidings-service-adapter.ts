import type { JobType } from '@tidings/jobs';
import { createTidingsServer } from '@tidings/server';

/** What the bench needs of the running service. */
export interface RunningService {
  readonly url: string;
  enqueue(type: string, input: { steps: number }): Promise<string>;
  close(): Promise<void>;
}

/**
 * The service through its public API, in one place (its options are about to
 * become a plugin host's): `createTidingsServer` on SQLite in `dataDir`, open
 * mode on 127.0.0.1, no demo jobs, and `jobType` as its one processor.
 */
export async function startTidingsService(options: { dataDir: string; concurrency: number; jobType: JobType<{ steps: number }> }): Promise<RunningService> {
  const { name, process, options: typeOptions } = options.jobType;
  const server = await createTidingsServer({
    config: { port: 0, host: '127.0.0.1', dataDir: options.dataDir, jobConcurrency: options.concurrency, logLevel: 'silent', demoJobs: 0 },
    processors: { [name]: { processor: (job, ctx) => process(job as never, ctx), options: typeOptions } },
  });
  const url = await server.listen();
  return {
    url,
    // The owner is nobody's: anonymous connections get the job's events through their subscription only.
    enqueue: async (type, input) => (await server.engine.enqueue({ type, ownerId: 'bench-owner', input })).id,
    close: () => server.close(),
  };
}
