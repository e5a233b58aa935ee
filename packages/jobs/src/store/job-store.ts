import type { Job, JobEvent, JobEventKind, JobFilter, JobOutputItem } from '../model.js';

/**
 * Where jobs and their event history live. The engine writes one job's state
 * from one place at a time (its notifier chain), so a store needs no locking
 * of its own beyond making `appendEvent` atomic.
 *
 * The SQLite store ships here; a Redis store (a stream per job) fits the same
 * contract.
 */
export interface JobStore {
  /** Inserts new jobs (a flow's parent and children together, atomically). */
  insertJobs(jobs: readonly Job[]): Promise<void>;
  /**
   * Inserts one job, unless it has an `idempotencyKey` that its owner (the
   * same `ownerId`, null included) already used: then nothing is inserted and
   * the earlier job is returned. Atomic, also against concurrent inserts
   * from other processes.
   */
  insertJob(job: Job): Promise<Job | undefined>;
  getJob(id: string): Promise<Job | undefined>;
  /** Newest first. */
  listJobs(filter: JobFilter): Promise<Job[]>;
  /**
   * Overwrites a job's state without recording an event (checkpoints, say).
   * The stored sequence stays: `job.lastSequence` may lag behind it.
   */
  saveJob(job: Job): Promise<void>;
  /**
   * Atomically: gives the event the job's next sequence (last + 1), saves
   * `job` as the job's state with `lastSequence` set to it, and appends the
   * event to the job's history (with `output`, on output events).
   * The store takes `job` over: it may set its `lastSequence` and hand it on
   * as the event's `job`, so pass a copy of your own (the event writer's
   * snapshot), never a job you keep changing.
   */
  appendEvent(job: Job, kind: JobEventKind, at: string, output?: JobOutputItem): Promise<JobEvent>;
  /** Events with a sequence above `after`, in order, at most `limit`. */
  listEvents(jobId: string, after: number, limit: number): Promise<JobEvent[]>;
  close(): Promise<void>;
}
