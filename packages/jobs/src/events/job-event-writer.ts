import type { Clock } from '../clock.js';
import type { JobLogger } from '../logger.js';
import { type Job, type JobEvent, type JobEventKind, type JobOutputItem, TERMINAL_EVENT_KINDS } from '../model.js';
import type { JobStore } from '../store/job-store.js';
import { type JobEventLine, OrderedWrites } from './job-event-line.js';
import { ProgressThrottle } from './progress-throttle.js';

export interface JobEventWriterOptions {
  readonly store: JobStore;
  /** Orders each job's writes and hands on what was stored (LocalJobEvents delivers it to the sinks). */
  readonly line: JobEventLine;
  readonly clock: Clock;
  readonly logger: JobLogger;
  /** Default 1000 ms. */
  readonly throttleIntervalMs?: number;
  /** Default 5 points. */
  readonly progressJump?: number;
}

export interface WriterMetrics {
  eventsStored: number;
  progressDeferred: number;
  storeFailures: number;
}

/**
 * The one place job events are made, whatever runs the jobs: it throttles
 * progress and gives each event the job's next sequence by storing it in the
 * job's history, one write at a time per job (its line), then hands it to the
 * line. Delivery to sinks is the JobEvents backend's; processors never wait
 * for sinks.
 */
export class JobEventWriter {
  readonly metrics: WriterMetrics = { eventsStored: 0, progressDeferred: 0, storeFailures: 0 };
  private readonly throttle: ProgressThrottle;
  /** Jobs whose latest progress waits for the throttle: the live object to send when due. */
  private readonly waiting = new Map<string, Job>();

  /** A writer whose events another process delivers (a Redis feed reads them back): its line only orders the writes. */
  static ordered(options: Omit<JobEventWriterOptions, 'line'>): JobEventWriter {
    return new JobEventWriter({ ...options, line: new OrderedWrites() });
  }

  constructor(private readonly options: JobEventWriterOptions) {
    this.throttle = new ProgressThrottle({
      intervalMs: options.throttleIntervalMs ?? 1000,
      minJump: options.progressJump ?? 5,
      clock: options.clock,
    });
  }

  /**
   * A progress update of `job` (a live object the caller keeps mutating):
   * sent now, or later with whatever state the job has by then.
   */
  progress(job: Job): Promise<void> {
    const decision = this.throttle.decide(job.id, job.progress, job.currentStage, () => this.sendWaiting(job.id));
    if (decision === 'now') return this.emit(job, 'progress').then(() => undefined);
    this.waiting.set(job.id, job);
    this.metrics.progressDeferred++;
    return Promise.resolve();
  }

  /**
   * Stores an event with the job's current state, now. Resolves with the
   * stored event (undefined if the store failed) once it is stored; the line
   * hands it on (to the sinks) after that, before the job's next write.
   */
  emit(job: Job, kind: JobEventKind, output?: JobOutputItem): Promise<JobEvent | undefined> {
    const now = this.options.clock.now();
    const at = new Date(now).toISOString();
    const isOutput = kind === 'output' || kind === 'outputTruncated';
    // Output is not an update of the job: a progress update held back by the throttle stays due.
    if (!isOutput) job.updatedAt = at;
    const effectiveKind = kind === 'progress' && this.throttle.isStageChange(job.id, job.currentStage) ? 'stage' : kind;
    const snapshot = structuredClone(job);
    if (!isOutput) {
      this.waiting.delete(job.id);
      if (TERMINAL_EVENT_KINDS.has(kind)) this.throttle.forget(job.id);
      else this.throttle.sentNow(job.id, job.progress, job.currentStage);
    }

    return new Promise((resolve) => {
      void this.options.line.run(job.id, async () => {
        let event: JobEvent;
        try {
          event = await this.options.store.appendEvent(snapshot, effectiveKind, isOutput ? at : snapshot.updatedAt, output);
        } catch (error) {
          this.metrics.storeFailures++;
          this.options.logger.error({ jobId: job.id, kind: effectiveKind, err: error }, 'storing a job event failed');
          resolve(undefined);
          return;
        }
        this.metrics.eventsStored++;
        job.lastSequence = event.sequence;
        resolve(event);
        await this.options.line.stored(event);
      });
    });
  }

  /** Saves the job's state without an event, in order with its events. */
  save(job: Job): Promise<void> {
    const snapshot = structuredClone(job);
    return this.options.line.run(job.id, () => this.options.store.saveJob(snapshot));
  }

  async flushAll(): Promise<void> {
    await Promise.all([...this.waiting.keys()].map((id) => this.sendWaiting(id)));
  }

  /** Resolves once every queued store write (and what the line does with it) has finished. */
  drain(): Promise<void> {
    return this.options.line.idle();
  }

  private async sendWaiting(jobId: string): Promise<void> {
    const job = this.waiting.get(jobId);
    if (!job) return;
    await this.emit(job, 'progress');
  }
}
