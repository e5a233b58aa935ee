import type { Clock } from '../clock.js';
import { KeyedMutex } from '../keyed-mutex.js';
import type { JobLogger } from '../logger.js';
import { type Job, type JobEvent, type JobEventKind, type JobOutputItem, TERMINAL_EVENT_KINDS } from '../model.js';
import type { JobStore } from '../store/job-store.js';
import { type JobEventSink, type SinkDelivery, deliverToSinks } from './job-event-sink.js';
import { ProgressThrottle } from './progress-throttle.js';

export interface ProgressNotifierOptions {
  readonly store: JobStore;
  readonly clock: Clock;
  readonly logger: JobLogger;
  /** Default 1000 ms. */
  readonly throttleIntervalMs?: number;
  /** Default 5 points. */
  readonly progressJump?: number;
  /** A sink that has not finished with an event after this long is counted as failed. Default 5000 ms. */
  readonly sinkTimeoutMs?: number;
}

export interface NotifierMetrics {
  eventsStored: number;
  progressDeferred: number;
  sinkFailures: number;
  storeFailures: number;
}

/**
 * The one place job events are made, whatever runs the jobs: it throttles
 * progress, gives each event the job's next sequence by storing it in the
 * job's history, then hands it to every sink. One chain per job keeps store
 * writes and deliveries in sequence order; processors never wait for sinks.
 */
export class ProgressNotifier {
  readonly metrics: NotifierMetrics = { eventsStored: 0, progressDeferred: 0, sinkFailures: 0, storeFailures: 0 };
  private readonly chains = new KeyedMutex();
  private readonly throttle: ProgressThrottle;
  private readonly sinks = new Set<JobEventSink>();
  /** Jobs whose latest progress waits for the throttle: the live object to send when due. */
  private readonly waiting = new Map<string, Job>();
  private readonly delivery: SinkDelivery;

  constructor(private readonly options: ProgressNotifierOptions) {
    this.throttle = new ProgressThrottle({
      intervalMs: options.throttleIntervalMs ?? 1000,
      minJump: options.progressJump ?? 5,
      clock: options.clock,
    });
    this.delivery = { timeoutMs: options.sinkTimeoutMs ?? 5000, logger: options.logger, metrics: this.metrics };
  }

  addSink(sink: JobEventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
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
   * Stores and delivers an event with the job's current state, now. Resolves
   * with the stored event (undefined if the store failed) once it is stored;
   * delivery to sinks follows on the job's chain.
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
      void this.chains.run(job.id, async () => {
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
        await deliverToSinks(this.sinks, event, this.delivery);
      });
    });
  }

  /** Saves the job's state without an event, in order with its events. */
  save(job: Job): Promise<void> {
    const snapshot = structuredClone(job);
    return this.chains.run(job.id, () => this.options.store.saveJob(snapshot));
  }

  async flushAll(): Promise<void> {
    await Promise.all([...this.waiting.keys()].map((id) => this.sendWaiting(id)));
  }

  /**
   * Runs `task` between two of the job's events: every event stored before
   * it has been delivered, and none stored after it has. What `task` reads
   * from the store is exactly what subscribers have been sent.
   */
  atEventBoundary<T>(jobId: string, task: () => Promise<T>): Promise<T> {
    return this.chains.run(jobId, task);
  }

  /** Resolves once every queued store write and delivery has finished. */
  drain(): Promise<void> {
    return this.chains.idle();
  }

  private async sendWaiting(jobId: string): Promise<void> {
    const job = this.waiting.get(jobId);
    if (!job) return;
    await this.emit(job, 'progress');
  }

}
