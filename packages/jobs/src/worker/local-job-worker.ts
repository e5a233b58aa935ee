import { JobInterruptedError } from '../errors.js';
import { type AttemptSettings, Executor, executorDefaults } from '../engine/executor.js';
import { recoverJobs } from '../engine/recovery.js';
import { type JobLogger, silentJobLogger } from '../logger.js';
import type { Job } from '../model.js';
import { type JobHolder, dispatchJob } from '../queue/job-dispatcher.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { JobRunner, RunnerStats } from '../runner/job-runner.js';

export interface LocalJobWorkerOptions extends AttemptSettings {
  /** The queue of this process: its store, writer, job types, locks and flows are the worker's too. */
  readonly queue: JobQueue;
  /** Runs the attempts (an InProcessRunner); the queue dispatches to the same one. */
  readonly runner: JobRunner;
  readonly logger?: JobLogger;
  /** How long `stop` lets running processors checkpoint and return. Default 5000 ms. */
  readonly shutdownGraceMs?: number;
}

/**
 * The worker of one process (BullMQ's `Worker`, in process): runs the
 * processors of the jobs its runner starts, with the state transitions,
 * retries and flows, and on `start` recovers what the last process left
 * unfinished in the store. It holds the jobs it runs: the queue's cancel
 * reaches them through it.
 */
export class LocalJobWorker implements JobHolder {
  private readonly executor: Executor;
  private readonly logger: JobLogger;

  constructor(private readonly options: LocalJobWorkerOptions) {
    const { queue, runner } = options;
    const logger = (this.logger = options.logger ?? silentJobLogger);
    const requeue = (job: Job) => dispatchJob(runner, job, queue.clock);
    this.executor = new Executor({ ...parts(queue), logger, requeue, defaults: executorDefaults(options) });
    queue.registry.onDefine((definition) => runner.limitType?.(definition.type, definition.options.concurrency));
    queue.heldBy(this); // the queue's cancel reaches the jobs running here
  }

  get stats(): RunnerStats {
    return this.options.runner.stats;
  }

  /** Starts running jobs, then recovers what the last process left: jobs cut off while Running resume (or fail), Pending ones are queued again. */
  async start(): Promise<void> {
    const { queue, runner } = this.options;
    await runner.start(this.executor.execute);
    await recoverJobs({ ...parts(queue), logger: this.logger, requeue: (job) => queue.dispatch(job) });
  }

  /**
   * Stops taking jobs; running processors see their signal abort (reason
   * JobInterruptedError) and get the grace period to checkpoint and return.
   * Their jobs go back to Pending and resume at the next start.
   */
  async stop(): Promise<void> {
    const stillRunning = await this.options.runner.stop(new JobInterruptedError(), this.options.shutdownGraceMs ?? 5000);
    for (const jobId of stillRunning) await this.executor.abandon(jobId);
    await this.options.queue.locks.idle();
  }

  cancelHeld(jobId: string, reason: string): Promise<Job | undefined> {
    return this.executor.cancelHeld(jobId, reason);
  }
}

function parts(queue: JobQueue) {
  const { store, writer, registry, locks, flows, clock } = queue;
  return { store, writer, registry, locks, flows, clock };
}
