import type { Clock } from '../clock.js';
import type { KeyedMutex } from '../keyed-mutex.js';
import type { JobLogger } from '../logger.js';
import type { Job } from '../model.js';
import type { JobEventWriter } from '../events/job-event-writer.js';
import type { JobRunner } from '../runner/job-runner.js';
import type { JobStore } from '../store/job-store.js';
import type { ProcessorDefinition } from './processor.js';

/** What the engine's parts share. */
export class EngineCore {
  /**
   * Jobs being worked on in this process (running jobs, and the flows they
   * belong to): the one object that is mutated and sent for each.
   */
  readonly live = new Map<string, Job>();
  readonly definitions = new Map<string, ProcessorDefinition>();

  constructor(
    readonly store: JobStore,
    readonly writer: JobEventWriter,
    readonly runner: JobRunner,
    readonly clock: Clock,
    readonly logger: JobLogger,
    /** One state transition at a time per job. */
    readonly locks: KeyedMutex,
  ) {}

  now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /** The live object if the job is being worked on here, else the stored state. */
  async load(id: string): Promise<Job | undefined> {
    return this.live.get(id) ?? (await this.store.getJob(id));
  }

  /** Hands a Pending job to the runner, after its `notBefore` if that is still ahead. */
  enqueue(job: Job): Promise<void> {
    const delayMs = job.notBefore ? Math.max(0, Date.parse(job.notBefore) - this.clock.now()) : 0;
    return this.runner.enqueue({ jobId: job.id, type: job.type, priority: job.priority }, { delayMs });
  }
}
