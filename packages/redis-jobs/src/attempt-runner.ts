import type { ExecuteJob, JobLogger, JobRunner, RunnerItem, RunnerStats } from '@tidings/jobs';

/**
 * The runner of one attempt's engine: it runs the attempt's own job here, at
 * most once, and hands every other job (the next step of a flow) to the
 * queue. Queueing the own job again (a retry after backoff) is left to the
 * worker, which puts the BullMQ job back when the attempt ends with the job
 * Pending.
 */
export class AttemptRunner implements JobRunner {
  private readonly controller = new AbortController();
  private execute: ExecuteJob | undefined;
  private started = false;
  private done = false;
  private readonly finishedPromise: Promise<void>;
  private finish!: () => void;

  constructor(
    readonly item: RunnerItem,
    private readonly others: JobRunner,
    private readonly logger: JobLogger,
  ) {
    this.finishedPromise = new Promise((resolve) => (this.finish = resolve));
  }

  /** Resolves once the own job's attempt has returned (or was never started and `runOwn` was not called). */
  get finished(): Promise<void> {
    return this.finishedPromise;
  }

  get stats(): RunnerStats {
    return { running: this.started && !this.done ? 1 : 0, queued: 0, delayed: 0 };
  }

  async start(execute: ExecuteJob): Promise<void> {
    this.execute = execute;
  }

  async enqueue(item: RunnerItem, options: { readonly delayMs?: number } = {}): Promise<void> {
    if (item.jobId !== this.item.jobId) return this.others.enqueue(item, options);
    // Queued by the engine's recovery: the job was taken over from a worker that stopped.
    if (!this.started) this.runOwn();
  }

  /** Runs the own job now, unless it has run or the attempt was aborted. */
  runOwn(): void {
    if (this.started) return;
    this.started = true;
    const execute = this.execute;
    if (!execute || this.controller.signal.aborted) {
      this.settle();
      return;
    }
    void Promise.resolve()
      .then(() => execute(this.item, this.controller.signal))
      .catch((error: unknown) => this.logger.error({ jobId: this.item.jobId, err: error }, 'executing a job failed'))
      .finally(() => this.settle());
  }

  async cancel(jobId: string, reason: Error): Promise<void> {
    if (jobId === this.item.jobId) this.abort(reason);
    else await this.others.cancel(jobId, reason);
  }

  /** Aborts the own job's signal with `reason`. */
  abort(reason: Error): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  async stop(reason: Error, graceMs: number): Promise<string[]> {
    this.abort(reason);
    if (!this.started || this.done) return [];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.finishedPromise, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    return this.done ? [] : [this.item.jobId];
  }

  private settle(): void {
    this.done = true;
    this.finish();
  }
}
