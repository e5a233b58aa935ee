import { KeyedMutex } from '../keyed-mutex.js';
import type { JobLogger } from '../logger.js';
import type { Job, JobEvent } from '../model.js';
import type { JobStore } from '../store/job-store.js';
import type { JobEventLine } from './job-event-line.js';
import { type JobEventSink, type SinkDelivery, deliverToSinks } from './job-event-sink.js';
import type { JobEvents } from './job-events.js';

export interface LocalJobEventsOptions {
  /** Where `withJobState` reads the job. */
  readonly store: JobStore;
  readonly logger: JobLogger;
  /** A sink that has not finished with an event after this long is counted as failed. Default 5000 ms. */
  readonly sinkTimeoutMs?: number;
}

/**
 * Job events of one process: each event this process's writer stores is
 * delivered to the sinks on the job's chain, right after the store write and
 * before the job's next one, so sinks see each job's events in sequence order
 * and `withJobState` reads the store at a point between two events.
 * Processors never wait for sinks.
 */
export class LocalJobEvents implements JobEvents, JobEventLine {
  readonly metrics = { sinkFailures: 0 };
  private readonly chains = new KeyedMutex();
  private readonly sinks = new Set<JobEventSink>();
  private readonly delivery: SinkDelivery;

  constructor(private readonly options: LocalJobEventsOptions) {
    this.delivery = { timeoutMs: options.sinkTimeoutMs ?? 5000, logger: options.logger, metrics: this.metrics };
  }

  addSink(sink: JobEventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  withJobState<T>(jobId: string, task: (job: Job | undefined) => Promise<T>): Promise<T> {
    return this.chains.run(jobId, async () => task(await this.options.store.getJob(jobId)));
  }

  run<T>(jobId: string, task: () => Promise<T>): Promise<T> {
    return this.chains.run(jobId, task);
  }

  stored(event: JobEvent): Promise<void> {
    return deliverToSinks(this.sinks, event, this.delivery);
  }

  idle(): Promise<void> {
    return this.chains.idle();
  }

  async start(): Promise<void> {}

  /** Resolves once every queued store write and delivery has finished. */
  stop(): Promise<void> {
    return this.chains.idle();
  }
}
