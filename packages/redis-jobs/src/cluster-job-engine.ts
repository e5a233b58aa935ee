import { type Job, JobEngine, type JobEngineOptions, type JobProcessor, type ProcessorOptions } from '@tidings/jobs';
import type { JobControl } from './job-control.js';
import type { JobEventFeed } from './job-event-feed.js';

export interface ClusterJobEngineOptions extends Omit<JobEngineOptions, 'events'> {
  readonly feed: JobEventFeed;
  readonly control: JobControl;
  /** How long a cancel waits for the worker holding the job to answer. Default 5000 ms. */
  readonly cancelTimeoutMs?: number;
  /** Told of every processor defined here (the cluster's workers run them too). */
  readonly onDefine?: (type: string, processor: JobProcessor, options: ProcessorOptions) => void;
}

/**
 * The job engine of an API node: it creates, queries, cancels and retries
 * jobs in the Redis store, while JobWorker processes run them. What differs
 * from a one-process engine:
 *
 * - `addSink`: sinks get every event of every job in the cluster, from the
 *   feed, in sequence order per job and once each — whichever process wrote
 *   it (this node, a worker, another API node).
 * - `withJobState`: the task runs between two of the job's deliveries from
 *   the feed, with the job as of the last one, so a new subscriber is sent
 *   exactly the state that precedes the events still to come.
 * - `cancel`: the worker holding the job cancels it (its AbortSignal fires);
 *   a job no worker holds is cancelled here.
 * - `start` starts reading the feed; jobs are never run here. Processors
 *   defined here are what the cluster's workers run.
 */
export class ClusterJobEngine extends JobEngine {
  /** Where this engine's sinks get the cluster's events from. */
  readonly feed: JobEventFeed;
  private readonly control: JobControl;
  private readonly cancelTimeoutMs: number;
  private readonly onDefine: ClusterJobEngineOptions['onDefine'];

  constructor(options: ClusterJobEngineOptions) {
    super({ ...options, events: options.feed });
    this.feed = options.feed;
    this.control = options.control;
    this.cancelTimeoutMs = options.cancelTimeoutMs ?? 5000;
    this.onDefine = options.onDefine;
  }

  override define(type: string, processor: JobProcessor, options: ProcessorOptions = {}): this {
    super.define(type, processor, options);
    this.onDefine?.(type, processor, options);
    return this;
  }

  /** Starts delivering the cluster's events to this engine's sinks; jobs never run here. */
  override async start(): Promise<void> {
    await this.feed.start();
  }

  override async cancel(id: string, reason = 'Cancelled by request'): Promise<Job> {
    const cancelledByItsWorker = await this.control.requestCancel(id, reason, this.cancelTimeoutMs);
    return cancelledByItsWorker ?? super.cancel(id, reason);
  }
}
