import { JobCancelledError, JobInterruptedError, JobTimeoutError, PermanentJobError, errorMessage } from '../errors.js';
import type { Job, JsonValue } from '../model.js';
import type { RunnerItem } from '../runner/job-runner.js';
import type { FlowCoordinator } from './flow-coordinator.js';
import { cancelUnfinishedStages, markCancelled, markCompleted, markFailed, markInterrupted, markRetrying, markRunning, pendingStage } from './job-state.js';
import type { JobWorkParts } from './job-work-parts.js';
import { AttemptContext } from './processor-context.js';
import {
  type Backoff,
  DEFAULT_BACKOFF,
  DEFAULT_MAX_METADATA_BYTES,
  DEFAULT_OUTPUT_LIMITS,
  type JobOutcome,
  type OutputLimits,
  type ProcessorDefinition,
  backoffDelay,
} from './processor.js';
import { RECOVERED_MESSAGE } from './recovery.js';

interface Attempt {
  readonly job: Job;
  readonly definition: ProcessorDefinition;
  readonly context: AttemptContext;
  /** Aborts the processor's signal (a cancel, or the store refused the attempt's writes). */
  readonly abort: AbortController;
  /** Clears the attempt's timeout timer (none without `timeoutMs`). */
  readonly clearTimeout: () => void;
}

export interface ExecutorOptions extends JobWorkParts {
  readonly defaults: ExecutorDefaults;
}

/** How an attempt is run besides its runner's signal. */
export interface ExecuteOptions {
  /** Run the attempt as a failure with this message instead of calling the processor (a job that keeps killing its workers). */
  readonly failWith?: string;
}

export interface ExecutorDefaults {
  readonly backoff: Backoff;
  readonly output: Required<OutputLimits>;
  readonly maxMetadataBytes: number;
}

/** What a worker may set for the job types that do not set their own (as `JobEngine` takes them). */
export interface AttemptSettings {
  readonly backoff?: Backoff;
  readonly outputLimits?: OutputLimits;
  readonly maxMetadataBytes?: number;
}

/** The settings with the defaults filled in: exponential backoff from 1 s, 10 000 items and 1 MiB of output, 64 KiB of metadata. */
export function executorDefaults(settings: AttemptSettings): ExecutorDefaults {
  return {
    backoff: settings.backoff ?? DEFAULT_BACKOFF,
    output: { ...DEFAULT_OUTPUT_LIMITS, ...settings.outputLimits },
    maxMetadataBytes: settings.maxMetadataBytes ?? DEFAULT_MAX_METADATA_BYTES,
  };
}

/**
 * Runs attempts of jobs, whoever queued them (the in-process runner, or a
 * BullMQ worker): marks the job Running, calls its processor, and settles the
 * outcome — Completed, a retry after backoff, Failed, Cancelled, or
 * interrupted by a shutdown. It keeps only the attempts running here.
 */
export class Executor {
  private readonly attempts = new Map<string, Attempt>();
  private readonly flows: FlowCoordinator;

  constructor(private readonly options: ExecutorOptions) {
    this.flows = options.flows;
  }

  /** Whether an attempt of the job runs here. */
  holds(jobId: string): boolean {
    return this.attempts.has(jobId);
  }

  /** The runner's callback. */
  readonly execute = (item: RunnerItem, signal: AbortSignal): Promise<void> => this.run(item, signal);

  /**
   * Takes over a job whose worker stopped while it ran (BullMQ handed it to
   * this one): the job is `recovered` and runs again from its checkpoint, or
   * failed when its type cannot resume. A job still Pending just runs.
   */
  async resume(item: RunnerItem, signal: AbortSignal, options: ExecuteOptions = {}): Promise<void> {
    const settled = await this.options.locks.run(item.jobId, async () => {
      const job = await this.options.store.getJob(item.jobId);
      if (job?.status !== 'Running') return undefined;
      if (this.options.registry.get(job.type)?.options.resumable === false) {
        markFailed(job, this.now(), `Interrupted by a restart while running; '${job.type}' jobs cannot resume.`, true);
        await this.options.writer.emit(job, 'failed');
        return job;
      }
      markInterrupted(job, RECOVERED_MESSAGE);
      await this.options.writer.emit(job, 'recovered');
      return undefined;
    });
    if (settled) await this.flows.childSettled(settled);
    else await this.run(item, signal, options);
  }

  /** Runs one attempt of the job, if it is Pending. */
  async run(item: RunnerItem, signal: AbortSignal, options: ExecuteOptions = {}): Promise<void> {
    const begun = await this.options.locks.run(item.jobId, () => this.begin(item.jobId, signal));
    if (!begun) return;
    if ('settled' in begun) {
      await this.flows.childSettled(begun.settled);
      return;
    }
    const { job, definition, context } = begun;
    await this.flows.childStarted(job);
    let outcome: JobOutcome | void = undefined;
    let failure: unknown;
    let succeeded = false;
    try {
      if (options.failWith !== undefined) throw new Error(options.failWith);
      outcome = await definition.processor(structuredClone(job), context);
      succeeded = true;
    } catch (error) {
      failure = error;
    }
    // An aborted attempt ends as its abort says, whether the processor threw or returned; an abort
    // that comes while the outcome waits for the lock is too late to change it.
    const abort: unknown = context.signal.aborted ? context.signal.reason : undefined;
    begun.clearTimeout();
    if (abort instanceof JobTimeoutError) {
      succeeded = false;
      failure = abort;
    }
    const settled = await this.options.locks.run(job.id, () => this.finish(begun, succeeded, outcome, failure, abort));
    if (settled) await this.flows.childSettled(job);
  }

  /**
   * Cancels the job if an attempt of it runs here: its signal aborts with a
   * JobCancelledError and its context stops reporting. Call with the job's
   * lock held. Undefined when the job does not run here.
   */
  async cancelHeld(jobId: string, reason: string): Promise<Job | undefined> {
    const attempt = this.attempts.get(jobId);
    if (!attempt) return undefined;
    const { job } = attempt;
    markCancelled(job, this.now(), reason);
    if (job.steps) cancelUnfinishedStages(job);
    this.close(jobId);
    attempt.abort.abort(new JobCancelledError(reason));
    await this.options.writer.emit(job, 'cancelled');
    return job;
  }

  /** Aborts the processor's signal of the job's attempt here, if any (it was settled or taken over elsewhere). */
  abort(jobId: string, reason: Error): void {
    const attempt = this.attempts.get(jobId);
    if (attempt && !attempt.abort.signal.aborted) attempt.abort.abort(reason);
  }

  /** Aborts every attempt here with `reason` (a shutdown). */
  abortAll(reason: Error): void {
    for (const jobId of this.attempts.keys()) this.abort(jobId, reason);
  }

  /** Gives up on an attempt whose processor did not return within the shutdown grace. */
  async abandon(jobId: string): Promise<void> {
    const job = await this.options.locks.run(jobId, async () => {
      const attempt = this.attempts.get(jobId);
      if (!attempt || !attempt.context.isActive) return undefined;
      await this.interrupt(attempt);
      return attempt.job;
    });
    if (job) await this.flows.childSettled(job);
  }

  /** Stops the attempt's context (after a cancel); its processor's later calls change nothing. */
  private close(jobId: string): void {
    const attempt = this.attempts.get(jobId);
    attempt?.clearTimeout();
    attempt?.context.close();
    this.attempts.delete(jobId);
  }

  private async begin(jobId: string, signal: AbortSignal): Promise<Attempt | { settled: Job } | undefined> {
    const { store, writer, registry, logger, clock } = this.options;
    if (this.attempts.has(jobId)) return undefined;
    const job = await store.getJob(jobId);
    if (!job || job.status !== 'Pending' || signal.aborted) return undefined;
    const definition = registry.get(job.type);
    if (!definition) {
      markFailed(job, this.now(), `No processor is defined for job type '${job.type}'.`, false);
      await writer.emit(job, 'failed');
      return { settled: job };
    }
    markRunning(job, this.now());
    job.error = null;
    if (job.stages.length === 0 && definition.options.stages) job.stages = definition.options.stages.map(pendingStage);
    const previous = job.dependsOn ? await store.getJob(job.dependsOn) : undefined;
    const abort = new AbortController();
    const timed = this.timed(AbortSignal.any([signal, abort.signal]), definition.options.timeoutMs);
    const defaults = this.options.defaults;
    const context = new AttemptContext(job, timed.signal, (previous?.result ?? null) as JsonValue, logger, { writer, clock }, (changed) =>
      this.flows.childProgress(changed),
      { output: { ...defaults.output, ...definition.options.outputLimits }, maxMetadataBytes: defaults.maxMetadataBytes },
    );
    const attempt = { job, definition, context, abort, clearTimeout: timed.clear };
    this.attempts.set(job.id, attempt);
    await writer.emit(job, 'started');
    return attempt;
  }

  /** Settles the attempt; true when the job's state changed (and its flow must hear of it). */
  private async finish(attempt: Attempt, succeeded: boolean, outcome: JobOutcome | void, failure: unknown, abort: unknown): Promise<boolean> {
    const { job, context } = attempt;
    this.attempts.delete(job.id);
    if (!context.isActive) return false; // cancelled or abandoned meanwhile: already settled
    const { writer, logger } = this.options;
    const now = this.now();
    if (abort instanceof JobInterruptedError) {
      await this.interrupt(attempt);
      return true;
    } else if (abort instanceof JobCancelledError) {
      markCancelled(job, now, abort.message);
      await writer.emit(job, 'cancelled');
    } else if (succeeded) {
      markCompleted(job, now, outcome?.message, outcome?.result ?? null);
      await writer.emit(job, 'completed');
    } else {
      const message = errorMessage(failure);
      const permanent = failure instanceof PermanentJobError;
      if (!permanent && job.attempt <= job.maxRetries) {
        const delayMs = backoffDelay(attempt.definition.options.backoff ?? this.options.defaults.backoff, job.attempt);
        markRetrying(job, now, message, delayMs);
        await writer.emit(job, 'retrying');
        logger.info({ jobId: job.id, attempt: job.attempt, delayMs, error: message }, 'job attempt failed; retrying');
        await this.options.requeue(job);
      } else {
        markFailed(job, now, message, !permanent);
        await writer.emit(job, 'failed');
        logger.warn({ jobId: job.id, type: job.type, error: message }, 'job failed');
      }
    }
    context.close();
    return true;
  }

  /** The runner's signal, aborted as well with a JobTimeoutError once `timeoutMs` has passed on the engine's clock. */
  private timed(signal: AbortSignal, timeoutMs: number | undefined): { signal: AbortSignal; clear: () => void } {
    if (timeoutMs === undefined) return { signal, clear: () => undefined };
    const timeout = new AbortController();
    const clock = this.options.clock;
    const timer = clock.setTimeout(() => timeout.abort(new JobTimeoutError(timeoutMs)), timeoutMs);
    return { signal: AbortSignal.any([signal, timeout.signal]), clear: () => clock.clearTimeout(timer) };
  }

  private async interrupt(attempt: Attempt): Promise<void> {
    const { job, context, definition } = attempt;
    attempt.clearTimeout();
    context.close();
    this.attempts.delete(job.id);
    if (definition.options.resumable === false) {
      markFailed(job, this.now(), `Interrupted by a shutdown; '${job.type}' jobs cannot resume.`, true);
      await this.options.writer.emit(job, 'failed');
    } else {
      markInterrupted(job, 'Interrupted by a shutdown; resumes after the restart');
      await this.options.writer.emit(job, 'interrupted');
    }
  }

  private now(): string {
    return new Date(this.options.clock.now()).toISOString();
  }
}
