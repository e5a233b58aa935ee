import type { Clock } from '../clock.js';
import type { Job } from '../model.js';
import type { JobRunner } from '../runner/job-runner.js';

/**
 * Where a queue puts jobs to be run and takes them back: the in-process
 * runner, or BullMQ (`BullMqQueue` in `@tidings/redis-jobs`).
 */
export type JobDispatcher = Pick<JobRunner, 'enqueue' | 'cancel' | 'stats'>;

/**
 * Whoever may be running a job right now: the worker of this process, or
 * (on Redis) the worker processes, asked over Redis.
 */
export interface JobHolder {
  /**
   * Cancels the job if it runs there (its processor's signal aborts with a
   * JobCancelledError), resolving with the cancelled job; undefined when no
   * one holds it, and the queue cancels it itself. Called with the job's lock
   * held by the queue.
   */
  cancelHeld(jobId: string, reason: string): Promise<Job | undefined>;
}

/** Hands a Pending job to `dispatcher`, after its `notBefore` if that is still ahead. */
export function dispatchJob(dispatcher: Pick<JobDispatcher, 'enqueue'>, job: Job, clock: Clock): Promise<void> {
  const delayMs = job.notBefore ? Math.max(0, Date.parse(job.notBefore) - clock.now()) : 0;
  return dispatcher.enqueue({ jobId: job.id, type: job.type, priority: job.priority }, { delayMs });
}
