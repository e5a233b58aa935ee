import { type Job, JobEngine, type JobEngineOptions, type JobProcessor, type JobRegistry, type JobRunner, type ProcessorOptions, type RunnerItem, silentJobLogger } from '@tidings/jobs';
import { AttemptRunner } from './attempt-runner.js';
import { AttemptStoreView } from './attempt-store-view.js';
import type { RedisJobStore } from './redis-job-store.js';

/** A processor and its options, as `JobEngine.define` takes them. */
export interface JobDefinition {
  readonly processor: JobProcessor;
  readonly options?: ProcessorOptions;
}

/** Engine settings every attempt of a worker shares. */
export type AttemptEngineOptions = Omit<JobEngineOptions, 'store' | 'runner'>;

export interface JobAttemptSettings {
  readonly store: RedisJobStore;
  /** Where jobs other than the attempt's own go (the next step of a flow). */
  readonly queue: JobRunner;
  readonly registry: JobRegistry;
  readonly engine: AttemptEngineOptions;
}

/**
 * One attempt of one job on a worker, in an engine of its own that lives as
 * long as the attempt: the engine's state transitions, events, retries and
 * flow handling run unchanged, and nothing it caches in memory (a flow's
 * parent, say) outlives the attempt, since other workers change those jobs
 * between attempts.
 *
 * A job a stopped worker left Running is taken over: the engine's recovery
 * (through AttemptStoreView) emits `recovered` and resumes it from its
 * checkpoint.
 */
export class JobAttempt {
  readonly engine: JobEngine;
  private readonly runner: AttemptRunner;
  private stopping: Promise<void> | undefined;
  private stopped!: () => void;
  private readonly whenStopped = new Promise<void>((resolve) => (this.stopped = resolve));

  /** `giveUp`: run the attempt as a failure with this message (the job stopped its workers too often). */
  constructor(
    readonly item: RunnerItem,
    settings: JobAttemptSettings,
    giveUp?: string,
  ) {
    this.runner = new AttemptRunner(item, settings.queue, settings.engine.logger ?? silentJobLogger);
    this.engine = new JobEngine({ ...settings.engine, store: new AttemptStoreView(settings.store, item.jobId), runner: this.runner });
    for (const type of settings.registry.types) {
      const definition = settings.registry.get(type)!;
      const processor: JobProcessor =
        giveUp !== undefined && type === item.type
          ? async () => {
              throw new Error(giveUp);
            }
          : definition.processor;
      this.engine.define(type, processor, definition.options);
    }
  }

  /** Runs the attempt to its end (or until `interrupt` has stopped it) and delivers its last events. */
  async run(): Promise<void> {
    if (this.stopping) return; // interrupted before it began: the job is still Pending
    await this.engine.start();
    this.runner.runOwn();
    await Promise.race([this.runner.finished, this.whenStopped]);
    await this.stop();
  }

  /** Cancels the job through this attempt's engine: its signal aborts and its context stops reporting. */
  cancel(reason: string): Promise<Job> {
    return this.engine.cancel(this.item.jobId, reason);
  }

  /** Aborts the processor's signal (the job was settled or taken over elsewhere). */
  abort(reason: Error): void {
    this.runner.abort(reason);
  }

  /** Shutdown: the processor gets the engine's grace period to checkpoint; the job goes back to Pending. */
  interrupt(): Promise<void> {
    return this.stop();
  }

  private stop(): Promise<void> {
    this.stopping ??= this.engine.stop().finally(() => this.stopped());
    return this.stopping;
  }
}
