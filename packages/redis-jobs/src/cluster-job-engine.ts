import { JobEngine, type JobEngineOptions, JobEventWriter, JobQueue, type JobRegistry, silentJobLogger, systemClock } from '@tidings/jobs';
import type { BullMqQueue } from './bullmq-queue.js';
import type { JobControl } from './job-control.js';
import type { JobEventFeed } from './job-event-feed.js';
import type { RedisJobStore } from './redis-job-store.js';

export interface ClusterJobEngineOptions extends Omit<JobEngineOptions, 'store' | 'runner'> {
  readonly store: RedisJobStore;
  /** Where jobs are queued for the workers. */
  readonly queue: BullMqQueue;
  /** The job types of this process (the cluster's). */
  readonly registry: JobRegistry;
  readonly feed: JobEventFeed;
  readonly control: JobControl;
  /** How long a cancel waits for the worker holding the job to answer. Default 5000 ms. */
  readonly cancelTimeoutMs?: number;
}

/**
 * The job engine of an API node: a JobQueue on the Redis store and BullMQ,
 * and the cluster's JobEventFeed as its events; it has no worker (JobWorker
 * processes run the jobs). Sinks get every event of every job in the cluster,
 * in sequence order per job and once each, whichever process wrote it; a
 * cancel asks the worker holding the job first (its AbortSignal fires), and a
 * job no worker holds is cancelled here.
 */
export class ClusterJobEngine extends JobEngine {
  /** Where this engine's sinks get the cluster's events from. */
  readonly feed: JobEventFeed;

  constructor(options: ClusterJobEngineOptions) {
    const { store, control } = options;
    const cancelTimeoutMs = options.cancelTimeoutMs ?? 5000;
    const clock = options.clock ?? systemClock;
    const { throttleIntervalMs, progressJump } = options;
    const writer = JobEventWriter.ordered({ store, clock, logger: options.logger ?? silentJobLogger, throttleIntervalMs, progressJump });
    const queue = new JobQueue({
      store,
      writer,
      registry: options.registry,
      dispatcher: options.queue,
      holder: { cancelHeld: (jobId, reason) => control.requestCancel(jobId, reason, cancelTimeoutMs) },
      clock,
      maxRetries: options.maxRetries,
    });
    super({ queue, events: options.feed });
    this.feed = options.feed;
  }
}
