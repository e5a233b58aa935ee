import type { Job, JobEvent, JobEventKind, JobFilter, JobOutputItem, JobStore } from '@tidings/jobs';

/**
 * The store as one attempt's engine sees it: reads and writes pass through,
 * but a listing shows only the attempt's own job, and only when a worker that
 * stopped left it Running. The engine's start-up recovery lists jobs to
 * resume; through this view it concerns exactly the job this worker has taken
 * over (it emits `recovered` and re-queues it, or fails it if its processor
 * cannot resume) and never the jobs other workers are running.
 */
export class AttemptStoreView implements JobStore {
  constructor(
    private readonly store: JobStore,
    private readonly jobId: string,
  ) {}

  async listJobs(filter: JobFilter): Promise<Job[]> {
    const job = await this.store.getJob(this.jobId);
    if (job?.status !== 'Running' || (filter.status && !filter.status.includes('Running'))) return [];
    return [job];
  }

  insertJobs(jobs: readonly Job[]): Promise<void> {
    return this.store.insertJobs(jobs);
  }

  insertJob(job: Job): Promise<Job | undefined> {
    return this.store.insertJob(job);
  }

  getJob(id: string): Promise<Job | undefined> {
    return this.store.getJob(id);
  }

  saveJob(job: Job): Promise<void> {
    return this.store.saveJob(job);
  }

  appendEvent(job: Job, kind: JobEventKind, at: string, output?: JobOutputItem): Promise<JobEvent> {
    return this.store.appendEvent(job, kind, at, output);
  }

  listEvents(jobId: string, after: number, limit: number): Promise<JobEvent[]> {
    return this.store.listEvents(jobId, after, limit);
  }

  /** The shared store outlives the attempt. */
  async close(): Promise<void> {}
}
