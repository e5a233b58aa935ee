import { type Clock, type TimerHandle, systemClock } from '../clock.js';
import type { JobLogger } from '../logger.js';
import { silentJobLogger } from '../logger.js';
import type { ExecuteJob, JobRunner, RunnerItem, RunnerStats } from './job-runner.js';

export interface InProcessRunnerOptions {
  /** Jobs running at once. Default 4. */
  readonly concurrency?: number;
  readonly clock?: Clock;
  readonly logger?: JobLogger;
}

interface Queued {
  readonly item: RunnerItem;
  readonly order: number;
}

interface Running {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * Runs jobs in this process: at most `concurrency` at once, highest priority
 * first and first-come first-served within a priority, delayed jobs (retry
 * backoff) on the injected clock, each with its own AbortController. A job
 * type with a limit of its own waits while that many of its jobs run, without
 * holding up the jobs of other types queued behind it.
 */
export class InProcessRunner implements JobRunner {
  private readonly concurrency: number;
  private readonly clock: Clock;
  private readonly logger: JobLogger;
  private readonly queue: Queued[] = [];
  private readonly delayed = new Map<string, TimerHandle>();
  private readonly running = new Map<string, Running>();
  /** Per-type limits (a job type's `concurrency`) and how many of each type run now. */
  private readonly typeLimits = new Map<string, number>();
  private readonly runningByType = new Map<string, number>();
  /** Jobs queued again while their attempt was still returning (a retry): queued when it has. */
  private readonly rerun = new Map<string, { item: RunnerItem; delayMs: number }>();
  private execute: ExecuteJob | undefined;
  private stopped = false;
  private order = 0;

  constructor(options: InProcessRunnerOptions = {}) {
    const concurrency = options.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, not ${concurrency}.`);
    this.concurrency = concurrency;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentJobLogger;
  }

  get stats(): RunnerStats {
    return { running: this.running.size, queued: this.queue.length, delayed: this.delayed.size };
  }

  limitType(type: string, limit: number | undefined): void {
    if (limit === undefined) this.typeLimits.delete(type);
    else this.typeLimits.set(type, limit);
    this.pump();
  }

  async start(execute: ExecuteJob): Promise<void> {
    this.execute = execute;
    this.stopped = false;
    this.pump();
  }

  async enqueue(item: RunnerItem, options: { readonly delayMs?: number } = {}): Promise<void> {
    if (this.stopped) return;
    const delayMs = options.delayMs ?? 0;
    if (this.running.has(item.jobId)) {
      this.rerun.set(item.jobId, { item, delayMs });
      return;
    }
    if (this.isKnown(item.jobId)) return;
    if (delayMs > 0) {
      const timer = this.clock.setTimeout(() => {
        this.delayed.delete(item.jobId);
        this.push(item);
      }, delayMs);
      this.delayed.set(item.jobId, timer);
      return;
    }
    this.push(item);
  }

  async cancel(jobId: string, reason: Error): Promise<void> {
    const timer = this.delayed.get(jobId);
    if (timer !== undefined) {
      this.clock.clearTimeout(timer);
      this.delayed.delete(jobId);
    }
    const index = this.queue.findIndex((q) => q.item.jobId === jobId);
    if (index !== -1) this.queue.splice(index, 1);
    this.rerun.delete(jobId);
    this.running.get(jobId)?.controller.abort(reason);
  }

  async stop(reason: Error, graceMs: number): Promise<string[]> {
    this.stopped = true;
    for (const timer of this.delayed.values()) this.clock.clearTimeout(timer);
    this.delayed.clear();
    this.queue.length = 0;
    this.rerun.clear();
    for (const running of this.running.values()) running.controller.abort(reason);
    if (this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...this.running.values()].map((r) => r.done)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    return [...this.running.keys()];
  }

  private isKnown(jobId: string): boolean {
    return this.delayed.has(jobId) || this.queue.some((q) => q.item.jobId === jobId);
  }

  private push(item: RunnerItem): void {
    if (this.stopped) return;
    const entry = { item, order: this.order++ };
    // Sorted by priority (high first), then arrival; insert after equals.
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.queue[mid]!.item.priority >= item.priority) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, entry);
    this.pump();
  }

  private pump(): void {
    const execute = this.execute;
    if (!execute || this.stopped) return;
    while (this.running.size < this.concurrency) {
      const index = this.typeLimits.size === 0 ? (this.queue.length > 0 ? 0 : -1) : this.queue.findIndex((q) => this.hasRoom(q.item.type));
      if (index === -1) return;
      const [{ item }] = this.queue.splice(index, 1) as [Queued];
      const controller = new AbortController();
      this.runningByType.set(item.type, (this.runningByType.get(item.type) ?? 0) + 1);
      const done = Promise.resolve()
        .then(() => execute(item, controller.signal))
        .catch((error: unknown) => this.logger.error({ jobId: item.jobId, err: error }, 'executing a job failed'))
        .finally(() => {
          this.running.delete(item.jobId);
          const left = (this.runningByType.get(item.type) ?? 1) - 1;
          if (left > 0) this.runningByType.set(item.type, left);
          else this.runningByType.delete(item.type);
          const again = this.rerun.get(item.jobId);
          this.rerun.delete(item.jobId);
          if (again) void this.enqueue(again.item, { delayMs: again.delayMs });
          this.pump();
        });
      this.running.set(item.jobId, { controller, done });
    }
  }

  private hasRoom(type: string): boolean {
    const limit = this.typeLimits.get(type);
    return limit === undefined || (this.runningByType.get(type) ?? 0) < limit;
  }
}
