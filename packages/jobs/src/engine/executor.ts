import { JobCancelledError, JobInterruptedError, JobTimeoutError, PermanentJobError, errorMessage } from '../errors.js';
import type { Job, JsonValue } from '../model.js';
import type { RunnerItem } from '../runner/job-runner.js';
import type { EngineCore } from './engine-core.js';
import type { FlowCoordinator } from './flow-coordinator.js';
import { markCancelled, markCompleted, markFailed, markInterrupted, markRetrying, markRunning, pendingStage } from './job-state.js';
import { AttemptContext } from './processor-context.js';
import { type Backoff, type JobOutcome, type OutputLimits, type ProcessorDefinition, backoffDelay } from './processor.js';

interface Attempt {
  readonly job: Job;
  readonly definition: ProcessorDefinition;
  readonly context: AttemptContext;
  /** Clears the attempt's timeout timer (none without `timeoutMs`). */
  readonly clearTimeout: () => void;
}

export interface ExecutorDefaults {
  readonly backoff: Backoff;
  readonly output: Required<OutputLimits>;
  readonly maxMetadataBytes: number;
}

/**
 * Runs one attempt of a job (the runner's callback): marks it Running, calls
 * its processor, and settles the outcome — Completed, a retry after backoff,
 * Failed, Cancelled, or interrupted by a shutdown.
 */
export class Executor {
  readonly attempts = new Map<string, Attempt>();

  constructor(
    private readonly core: EngineCore,
    private readonly flows: FlowCoordinator,
    private readonly defaults: ExecutorDefaults,
  ) {}

  readonly execute = async (item: RunnerItem, signal: AbortSignal): Promise<void> => {
    const begun = await this.core.locks.run(item.jobId, () => this.begin(item.jobId, signal));
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
    const settled = await this.core.locks.run(job.id, () => this.finish(begun, succeeded, outcome, failure, abort));
    if (settled) await this.flows.childSettled(job);
  };

  /** Gives up on an attempt whose processor did not return within the shutdown grace. */
  async abandon(jobId: string): Promise<void> {
    const job = await this.core.locks.run(jobId, async () => {
      const attempt = this.attempts.get(jobId);
      if (!attempt || !attempt.context.isActive) return undefined;
      await this.interrupt(attempt);
      return attempt.job;
    });
    if (job) await this.flows.childSettled(job);
  }

  /** Stops the attempt's context (after a cancel); its processor's later calls change nothing. */
  close(jobId: string): void {
    const attempt = this.attempts.get(jobId);
    attempt?.clearTimeout();
    attempt?.context.close();
    this.attempts.delete(jobId);
  }

  private async begin(jobId: string, signal: AbortSignal): Promise<Attempt | { settled: Job } | undefined> {
    const core = this.core;
    const job = await core.load(jobId);
    if (!job || job.status !== 'Pending' || signal.aborted) return undefined;
    const definition = core.definitions.get(job.type);
    if (!definition) {
      markFailed(job, core.now(), `No processor is defined for job type '${job.type}'.`, false);
      await core.writer.emit(job, 'failed');
      return { settled: job };
    }
    markRunning(job, core.now());
    job.error = null;
    if (job.stages.length === 0 && definition.options.stages) job.stages = definition.options.stages.map(pendingStage);
    const previous = job.dependsOn ? await core.store.getJob(job.dependsOn) : undefined;
    const timed = this.timed(signal, definition.options.timeoutMs);
    const context = new AttemptContext(job, timed.signal, (previous?.result ?? null) as JsonValue, core.logger, core, (changed) =>
      this.flows.childProgress(changed),
      { output: { ...this.defaults.output, ...definition.options.outputLimits }, maxMetadataBytes: this.defaults.maxMetadataBytes },
    );
    const attempt = { job, definition, context, clearTimeout: timed.clear };
    core.live.set(job.id, job);
    this.attempts.set(job.id, attempt);
    await core.writer.emit(job, 'started');
    return attempt;
  }

  /** Settles the attempt; true when the job's state changed (and its flow must hear of it). */
  private async finish(attempt: Attempt, succeeded: boolean, outcome: JobOutcome | void, failure: unknown, abort: unknown): Promise<boolean> {
    const { job, context } = attempt;
    this.attempts.delete(job.id);
    if (!context.isActive) return false; // cancelled or abandoned meanwhile: already settled
    const core = this.core;
    const now = core.now();
    if (abort instanceof JobInterruptedError) {
      await this.interrupt(attempt);
      return true;
    } else if (abort instanceof JobCancelledError) {
      markCancelled(job, now, abort.message);
      await core.writer.emit(job, 'cancelled');
    } else if (succeeded) {
      markCompleted(job, now, outcome?.message, outcome?.result ?? null);
      await core.writer.emit(job, 'completed');
    } else {
      const message = errorMessage(failure);
      const permanent = failure instanceof PermanentJobError;
      if (!permanent && job.attempt <= job.maxRetries) {
        const delayMs = backoffDelay(attempt.definition.options.backoff ?? this.defaults.backoff, job.attempt);
        markRetrying(job, now, message, delayMs);
        await core.writer.emit(job, 'retrying');
        core.logger.info({ jobId: job.id, attempt: job.attempt, delayMs, error: message }, 'job attempt failed; retrying');
        await core.enqueue(job);
      } else {
        markFailed(job, now, message, !permanent);
        await core.writer.emit(job, 'failed');
        core.logger.warn({ jobId: job.id, type: job.type, error: message }, 'job failed');
      }
    }
    context.close();
    core.live.delete(job.id);
    return true;
  }

  /** The runner's signal, aborted as well with a JobTimeoutError once `timeoutMs` has passed on the engine's clock. */
  private timed(signal: AbortSignal, timeoutMs: number | undefined): { signal: AbortSignal; clear: () => void } {
    if (timeoutMs === undefined) return { signal, clear: () => undefined };
    const timeout = new AbortController();
    const clock = this.core.clock;
    const timer = clock.setTimeout(() => timeout.abort(new JobTimeoutError(timeoutMs)), timeoutMs);
    return { signal: AbortSignal.any([signal, timeout.signal]), clear: () => clock.clearTimeout(timer) };
  }

  private async interrupt(attempt: Attempt): Promise<void> {
    const { job, context, definition } = attempt;
    attempt.clearTimeout();
    context.close();
    this.attempts.delete(job.id);
    if (definition.options.resumable === false) {
      markFailed(job, this.core.now(), `Interrupted by a shutdown; '${job.type}' jobs cannot resume.`, true);
      await this.core.writer.emit(job, 'failed');
    } else {
      markInterrupted(job, 'Interrupted by a shutdown; resumes after the restart');
      await this.core.writer.emit(job, 'interrupted');
    }
    this.core.live.delete(job.id);
  }
}
