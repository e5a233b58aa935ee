import type { Job } from '../model.js';
import type { JobEventSink } from './job-event-sink.js';

/** What a JobEvents backend counts. */
export interface JobEventsMetrics {
  /** Deliveries a sink threw on, rejected or did not finish in time. */
  readonly sinkFailures: number;
}

/**
 * The delivering side of job events (BullMQ's `QueueEvents`): hands every
 * stored event to the sinks of this process, in sequence order per job and
 * once each, and runs a task at a point between two of a job's events.
 *
 * Two backends: `LocalJobEvents` delivers what this process writes to its
 * store, on one chain per job; `JobEventFeed` (`@tidings/redis-jobs`) tails
 * the Redis feed and delivers what every process of the cluster writes.
 */
export interface JobEvents {
  /** Every event goes to every sink, in sequence order per job. Returns a function that removes the sink. */
  addSink(sink: JobEventSink): () => void;
  /**
   * Runs `task` with the job's state at a point between two of its events:
   * everything stored before has been delivered to the sinks, nothing after.
   */
  withJobState<T>(jobId: string, task: (job: Job | undefined) => Promise<T>): Promise<T>;
  /** Begins delivering. */
  start(): Promise<void>;
  /** Stops delivering; resolves once the deliveries under way have finished. */
  stop(): Promise<void>;
  readonly metrics: JobEventsMetrics;
}
