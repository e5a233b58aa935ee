/** What a runner needs to schedule a job; the job itself stays in the store. */
export interface RunnerItem {
  readonly jobId: string;
  readonly type: string;
  /** Higher runs first. */
  readonly priority: number;
}

/** Runs one attempt of a job to its end; `signal` aborts when it is cancelled or the runner stops. */
export type ExecuteJob = (item: RunnerItem, signal: AbortSignal) => Promise<void>;

export interface RunnerStats {
  readonly running: number;
  readonly queued: number;
  readonly delayed: number;
}

/**
 * Decides when and where jobs run. The engine owns job state, retries and
 * events; a runner only queues, starts and aborts. The in-process runner
 * ships here; a BullMQ runner (workers in other processes) fits the same
 * contract.
 */
export interface JobRunner {
  /** Begins taking jobs; `execute` runs each. */
  start(execute: ExecuteJob): Promise<void>;
  /** Queues a job; one already queued is left as it is, one running is queued again once its attempt returns. */
  enqueue(item: RunnerItem, options?: { readonly delayMs?: number }): Promise<void>;
  /** Drops the job if queued; aborts its signal with `reason` if running. */
  cancel(jobId: string, reason: Error): Promise<void>;
  /**
   * Stops taking jobs, aborts the running ones with `reason`, and waits up to
   * `graceMs` for them to return. Resolves with the ids still running.
   */
  stop(reason: Error, graceMs: number): Promise<string[]>;
  readonly stats: RunnerStats;
  /**
   * At most `limit` jobs of `type` run at once here (undefined: no limit of
   * its own). The engine calls it for every type defined with `concurrency`.
   */
  limitType?(type: string, limit: number | undefined): void;
}
