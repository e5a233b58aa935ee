import type { JobEvent } from '@tidings/jobs';

/** What a job event means for timing: how long the job waited or ran, and which worker had it. */
export interface JobMoment {
  /** On `started`: seconds from when the job was ready to run (created, or its delay or backoff over) to its start. */
  readonly queueWaitSeconds?: number;
  /** On `completed`, `failed`, `cancelled` of a job that had started: seconds from its first start to now. */
  readonly runSeconds?: number;
  /** Scaled mode: the node id of the worker that ran (or runs) the job, when known. */
  readonly worker?: string;
}

/** Where the service finds which worker holds a job (BullMQ's `processedBy`, in scaled mode). */
export type WorkerLookup = (jobId: string) => Promise<string | undefined>;

/**
 * Follows jobs from their events alone: when each became ready to run and,
 * in scaled mode, which worker started it. Only unfinished jobs are
 * remembered, and at most `limit` of them, so memory stays bounded however
 * many jobs pass through.
 */
export class JobTimeline {
  private readonly readyAt = new Map<string, number>();
  private readonly workers = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly workerOf?: WorkerLookup,
    private readonly limit = 100_000,
  ) {}

  observe(event: JobEvent): JobMoment {
    const { job, kind } = event;
    const at = Date.parse(event.at);
    switch (kind) {
      case 'created':
      case 'retrying':
      case 'retried':
      case 'recovered':
      case 'interrupted':
        // Ready again: at once, or when its delay or backoff is over.
        this.remember(this.readyAt, job.id, job.notBefore ? Math.max(at, Date.parse(job.notBefore)) : at);
        return {};
      case 'started': {
        // A job created before this process started: its first attempt waited since it was created.
        const ready = this.readyAt.get(job.id) ?? (job.attempt === 1 ? Date.parse(job.createdAt) : undefined);
        this.readyAt.delete(job.id);
        if (this.workerOf) this.remember(this.workers, job.id, this.workerOf(job.id).catch(() => undefined));
        return ready === undefined ? {} : { queueWaitSeconds: Math.max(0, at - ready) / 1000 };
      }
      default:
        return {};
    }
  }

  /** For a terminal event: the run time and the worker (resolved once its lookup has answered). */
  async finish(event: JobEvent): Promise<JobMoment> {
    const { job } = event;
    this.readyAt.delete(job.id);
    const lookup = this.workers.get(job.id);
    this.workers.delete(job.id);
    const worker = lookup ? await lookup : undefined;
    const runSeconds = job.startedAt ? Math.max(0, Date.parse(event.at) - Date.parse(job.startedAt)) / 1000 : undefined;
    return { ...(runSeconds === undefined ? {} : { runSeconds }), ...(worker ? { worker } : {}) };
  }

  /** The worker that started the job's current attempt, if it is known yet (without waiting). */
  workerNow(jobId: string): Promise<string | undefined> {
    return this.workers.get(jobId) ?? Promise.resolve(undefined);
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    if (!map.has(key) && map.size >= this.limit) return; // past the bound, a job goes unmeasured rather than memory growing
    map.set(key, value);
  }
}
