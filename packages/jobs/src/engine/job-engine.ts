import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '../clock.js';
import { JobCancelledError, JobInterruptedError, JobNotFoundError, JobStateError, UnknownJobTypeError } from '../errors.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { type JobLogger, silentJobLogger } from '../logger.js';
import { type Job, type JobEvent, type JobFilter, type JsonObject, type JsonValue, isTerminal } from '../model.js';
import { OrderedWrites } from '../events/job-event-line.js';
import type { JobEventSink } from '../events/job-event-sink.js';
import { JobEventWriter, type WriterMetrics } from '../events/job-event-writer.js';
import type { JobEvents, JobEventsMetrics } from '../events/job-events.js';
import { LocalJobEvents } from '../events/local-job-events.js';
import { InProcessRunner } from '../runner/in-process-runner.js';
import type { JobRunner, RunnerStats } from '../runner/job-runner.js';
import type { JobStore } from '../store/job-store.js';
import { EngineCore } from './engine-core.js';
import { Executor } from './executor.js';
import { FlowCoordinator, weightedProgress } from './flow-coordinator.js';
import { type JobSpec, cancelUnfinishedStages, createJob, markCancelled, markRetried } from './job-state.js';
import { InputValidator } from './input-validator.js';
import {
  type Backoff,
  DEFAULT_BACKOFF,
  DEFAULT_MAX_METADATA_BYTES,
  DEFAULT_OUTPUT_LIMITS,
  type JobProcessor,
  type OutputLimits,
  type ProcessorOptions,
  validateProcessorOptions,
} from './processor.js';
import { validateSubmission } from './submission.js';
import { recoverJobs } from './recovery.js';
import type { JobType } from '../job-type.js';

export interface JobEngineOptions {
  readonly store: JobStore;
  /** Default: an InProcessRunner with concurrency 4 on the same clock. */
  readonly runner?: JobRunner;
  /**
   * Who delivers the events to sinks. Default: LocalJobEvents, which delivers
   * what this engine writes. Another backend (a Redis feed) delivers what the
   * whole cluster writes; this engine's writes then only go to the store.
   */
  readonly events?: JobEvents;
  readonly clock?: Clock;
  readonly logger?: JobLogger;
  /** At most one ordinary progress event per job per this many ms. Default 1000. */
  readonly throttleIntervalMs?: number;
  /** A progress change of this many points is sent at once. Default 5. */
  readonly progressJump?: number;
  /** A sink slower than this with one event is counted as failed (LocalJobEvents). Default 5000 ms. */
  readonly sinkTimeoutMs?: number;
  /** How long `stop` lets running processors checkpoint and return. Default 5000 ms. */
  readonly shutdownGraceMs?: number;
  /** Automatic retries for processors that do not set their own. Default 0. */
  readonly maxRetries?: number;
  readonly backoff?: Backoff;
  /** How much output one job may store (a job type may set its own). Default 10 000 items, 1 MiB. */
  readonly outputLimits?: OutputLimits;
  /** A job's metadata, as JSON, is at most this large. Default 64 KiB. */
  readonly maxMetadataBytes?: number;
}

export type NewJob = JobSpec;

/** What `submit` did: created `job`, or found it (`existing`: the owner's idempotency key was used before). */
export interface Submission {
  readonly job: Job;
  readonly existing: boolean;
}

export interface NewFlowStep {
  /** The stage name of this step in the parent. */
  readonly name: string;
  readonly type: string;
  /** Relative share of the parent's progress. Default: equal shares. */
  readonly weight?: number;
  readonly input?: JsonValue;
  readonly metadata?: JsonObject;
  readonly maxRetries?: number;
}

/** A parent job whose children (the steps) run one after another; its tags are the parent's. */
export interface NewFlow extends Omit<JobSpec, 'maxRetries' | 'idempotencyKey' | 'delayMs'> {
  readonly steps: readonly NewFlowStep[];
}

export interface EngineMetrics extends WriterMetrics, JobEventsMetrics, RunnerStats {}

/**
 * Jobs with stages and live progress. Define processors, start, and enqueue
 * jobs or flows; every change becomes a stored, sequenced event delivered to
 * the sinks.
 *
 * ```ts
 * const engine = new JobEngine({ store: new SqliteJobStore('data/jobs.db') });
 * engine.define('Transcription', async (job, ctx) => {
 *   await ctx.stage('Extracting audio', 10, 'Downloading and extracting audio');
 *   …
 *   return { message: 'Transcribed 120 segments', result: { segments: 120 } };
 * });
 * engine.addSink({ deliver: (event) => console.log(event.sequence, event.kind) });
 * await engine.start();
 * await engine.enqueue({ type: 'Transcription', ownerId: 'user-1' });
 * ```
 */
export class JobEngine {
  private readonly core: EngineCore;
  private readonly jobEvents: JobEvents;
  private readonly flows: FlowCoordinator;
  private readonly executor: Executor;
  private readonly shutdownGraceMs: number;
  private readonly maxRetries: number;
  private readonly inputs = new InputValidator();
  /** Types registered with `register`, for listings of types and their schemas. */
  private readonly registered = new Map<string, JobType<never, JsonValue>>();
  private state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';

  constructor(options: JobEngineOptions) {
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? silentJobLogger;
    const local = options.events ? undefined : new LocalJobEvents({ store: options.store, logger, sinkTimeoutMs: options.sinkTimeoutMs });
    this.jobEvents = options.events ?? local!;
    const writer = new JobEventWriter({
      store: options.store,
      line: local ?? new OrderedWrites(),
      clock,
      logger,
      throttleIntervalMs: options.throttleIntervalMs,
      progressJump: options.progressJump,
    });
    const runner = options.runner ?? new InProcessRunner({ clock, logger });
    this.core = new EngineCore(options.store, writer, runner, clock, logger, new KeyedMutex());
    this.flows = new FlowCoordinator(this.core, (id, reason) => this.cancel(id, reason));
    this.executor = new Executor(this.core, this.flows, {
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      output: { ...DEFAULT_OUTPUT_LIMITS, ...options.outputLimits },
      maxMetadataBytes: options.maxMetadataBytes ?? DEFAULT_MAX_METADATA_BYTES,
    });
    this.shutdownGraceMs = options.shutdownGraceMs ?? 5000;
    this.maxRetries = options.maxRetries ?? 0;
  }

  /**
   * Registers a job type defined with `defineJobType` (replacing any of the
   * same name): `enqueue` checks every job's input against its schema
   * (compiled here, once).
   */
  register(jobType: JobType<never, JsonValue>): this {
    const { name, process, options, input } = jobType;
    validateProcessorOptions(name, options);
    const validate = this.inputs.compile(name, input);
    // Through `define`, so an engine that shares its processors (a cluster's) hears of it.
    this.define(name, (job, context) => process(job as never, context), options);
    this.inputs.set(name, validate);
    this.registered.set(name, jobType);
    return this;
  }

  /** Registers the processor for jobs of `type` (replacing any before it); its input is not checked. */
  define(type: string, processor: JobProcessor, options: ProcessorOptions = {}): this {
    if (!type) throw new TypeError('A job type needs a name.');
    validateProcessorOptions(type, options);
    this.inputs.remove(type);
    this.registered.delete(type);
    this.core.definitions.set(type, { type, processor, options });
    this.core.runner.limitType?.(type, options.concurrency);
    return this;
  }

  /** The job types registered with `register`, with their schemas (a `GET /job-types` lists these). */
  get jobTypes(): JobType<never, JsonValue>[] {
    return [...this.registered.values()];
  }

  /** Job types with a processor. */
  get types(): string[] {
    return [...this.core.definitions.keys()];
  }

  /** Every event goes to every sink, in sequence order per job. Returns a function that removes the sink. */
  addSink(sink: JobEventSink): () => void {
    return this.jobEvents.addSink(sink);
  }

  get metrics(): EngineMetrics {
    return { ...this.core.writer.metrics, sinkFailures: this.jobEvents.metrics.sinkFailures, ...this.core.runner.stats };
  }

  /** Recovers what the last process left unfinished, then starts running jobs. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new JobStateError(`The engine cannot start: it is ${this.state}.`);
    this.state = 'running';
    await this.jobEvents.start();
    await this.core.runner.start(this.executor.execute);
    await recoverJobs(this.core, this.flows);
  }

  /**
   * Stops taking jobs; running processors see their signal abort (reason
   * JobInterruptedError) and get the grace period to checkpoint and return.
   * Interrupted jobs go back to Pending and resume at the next start. Every
   * waiting progress update is sent and every event delivered before this
   * resolves.
   */
  async stop(): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      await this.jobEvents.stop();
      return;
    }
    this.state = 'stopping';
    const stillRunning = await this.core.runner.stop(new JobInterruptedError(), this.shutdownGraceMs);
    for (const jobId of stillRunning) await this.executor.abandon(jobId);
    await this.core.locks.idle();
    await this.core.writer.flushAll();
    await this.core.writer.drain();
    await this.jobEvents.stop();
    this.state = 'stopped';
  }

  /**
   * Creates a job and queues it. Throws an UnknownJobTypeError for a type
   * with no processor and a JobInputError for input its type's schema
   * refuses; nothing is created then.
   */
  async enqueue(spec: NewJob): Promise<Job> {
    return (await this.submit(spec)).job;
  }

  /**
   * Like `enqueue`, and says whether the job is new: a submission with an
   * `idempotencyKey` its owner already used returns that job (`existing`),
   * never a second one, also when both arrive at once.
   */
  async submit(spec: NewJob): Promise<Submission> {
    this.assertAccepting();
    const definition = this.requireDefinition(spec.type);
    validateSubmission(spec);
    this.inputs.check(spec.type, spec.input ?? null);
    const job = createJob(randomUUID(), spec, this.core.now(), {
      maxRetries: definition.options.maxRetries ?? this.maxRetries,
      stages: definition.options.stages,
    });
    const existing = await this.core.store.insertJob(job);
    if (existing) return { job: existing, existing: true };
    await this.core.writer.emit(job, 'created');
    await this.core.enqueue(job);
    return { job, existing: false };
  }

  /** Creates a parent and its steps; the first step is queued, each next one when the one before completes. */
  async enqueueFlow(spec: NewFlow): Promise<{ parent: Job; children: Job[] }> {
    this.assertAccepting();
    if (spec.steps.length === 0) throw new TypeError('A flow needs at least one step.');
    validateSubmission(spec);
    const weights = normalizedWeights(spec.steps);
    const now = this.core.now();
    const parentId = randomUUID();
    let previous: string | null = null;
    const children = spec.steps.map((step) => {
      const definition = this.requireDefinition(step.type);
      this.inputs.check(step.type, step.input ?? null);
      const child = createJob(
        randomUUID(),
        { ...step, ownerId: spec.ownerId, priority: spec.priority, subject: spec.subject, metadata: { ...spec.metadata, ...step.metadata }, tags: [] },
        now,
        { parentId, dependsOn: previous, stages: definition.options.stages, maxRetries: step.maxRetries ?? definition.options.maxRetries ?? this.maxRetries },
      );
      previous = child.id;
      return child;
    });
    const parent = createJob(parentId, { ...spec, maxRetries: 0 }, now, {
      maxRetries: 0,
      steps: spec.steps.map((s, i) => ({ name: s.name, jobId: children[i]!.id, weight: weights[i]! })),
      stages: spec.steps.map((s) => s.name),
    });
    await this.core.store.insertJobs([parent, ...children]);
    await this.core.writer.emit(parent, 'created');
    for (const child of children) await this.core.writer.emit(child, 'created');
    await this.core.enqueue(children[0]!);
    return { parent, children };
  }

  /** The job's state as of its last event. */
  get(id: string): Promise<Job | undefined> {
    return this.core.store.getJob(id);
  }

  list(filter: JobFilter = {}): Promise<Job[]> {
    return this.core.store.listJobs(filter);
  }

  /** A flow's children in step order. */
  async children(parentId: string): Promise<Job[]> {
    const parent = await this.core.store.getJob(parentId);
    if (!parent?.steps) return [];
    const children = await Promise.all(parent.steps.map((s) => this.core.store.getJob(s.jobId)));
    return children.filter((c): c is Job => c !== undefined);
  }

  /** The job's stored events after sequence `after`, in order. */
  async events(id: string, after = 0, limit = 1000): Promise<JobEvent[]> {
    return this.core.store.listEvents(id, after, limit);
  }

  /**
   * Runs `task` with the job's state at a point between two of its events:
   * everything stored before has been delivered to the sinks, nothing after.
   * Use it to send a subscriber the current state without racing the events.
   */
  withJobState<T>(id: string, task: (job: Job | undefined) => Promise<T>): Promise<T> {
    return this.jobEvents.withJobState(id, task);
  }

  /**
   * Cancels a Pending or Running job (a running processor's signal aborts
   * with a JobCancelledError). Cancelling a flow cancels its unfinished
   * steps; cancelling a step cancels its flow.
   */
  async cancel(id: string, reason = 'Cancelled by request'): Promise<Job> {
    const job = await this.core.locks.run(id, async () => {
      const current = await this.core.load(id);
      if (!current) throw new JobNotFoundError(id);
      if (isTerminal(current.status)) throw new JobStateError(`Job '${id}' is already ${current.status}.`);
      markCancelled(current, this.core.now(), reason);
      if (current.steps) cancelUnfinishedStages(current);
      this.executor.close(id);
      await this.core.runner.cancel(id, new JobCancelledError(reason));
      await this.core.writer.emit(current, 'cancelled');
      this.core.live.delete(id);
      return current;
    });
    if (job.steps) {
      for (const step of job.steps) await this.cancel(step.jobId, `Cancelled with its flow: ${reason}`).catch(ignoreSettled);
    } else {
      await this.flows.childSettled(job);
    }
    return job;
  }

  /**
   * Runs a Failed or Cancelled job again (retryCount + 1, checkpoint dropped).
   * Retrying a flow, or any of its steps, re-runs the flow from its first
   * unfinished step.
   */
  async retry(id: string): Promise<Job> {
    this.assertAccepting();
    const job = await this.core.load(id);
    if (!job) throw new JobNotFoundError(id);
    if (job.parentId) {
      const parent = await this.core.load(job.parentId);
      if (parent && isTerminal(parent.status) && parent.status !== 'Completed') {
        await this.retry(parent.id);
        return (await this.get(id))!;
      }
    }
    assertRetryable(job);
    if (job.steps) return this.retryFlow(job);
    const retried = await this.core.locks.run(id, async () => {
      const current = (await this.core.load(id))!;
      assertRetryable(current);
      markRetried(current);
      await this.core.writer.emit(current, 'retried');
      return current;
    });
    await this.core.enqueue(retried);
    return retried;
  }

  private async retryFlow(parent: Job): Promise<Job> {
    const unfinished = (await this.children(parent.id)).filter((c) => c.status !== 'Completed');
    for (const child of unfinished) {
      await this.core.locks.run(child.id, async () => {
        const current = (await this.core.load(child.id))!;
        if (!isTerminal(current.status)) return;
        markRetried(current);
        await this.core.writer.emit(current, 'retried');
      });
    }
    const retried = await this.core.locks.run(parent.id, async () => {
      const current = (await this.core.load(parent.id))!;
      assertRetryable(current);
      markRetried(current);
      const children = await this.children(parent.id);
      current.steps!.forEach((step, i) => {
        const child = children.find((c) => c.id === step.jobId);
        const stage = current.stages[i];
        if (child?.status === 'Completed' && stage) Object.assign(stage, { status: 'Completed', progress: 100, startedAt: child.startedAt, completedAt: child.finishedAt });
      });
      current.progress = weightedProgress(current);
      await this.core.writer.emit(current, 'retried');
      return current;
    });
    const first = unfinished[0];
    if (first) await this.core.enqueue((await this.core.store.getJob(first.id))!);
    return retried;
  }

  private requireDefinition(type: string) {
    const definition = this.core.definitions.get(type);
    if (!definition) throw new UnknownJobTypeError(type, [...this.core.definitions.keys()].sort());
    return definition;
  }

  private assertAccepting(): void {
    if (this.state === 'stopping' || this.state === 'stopped') throw new JobStateError('The job engine is shutting down.');
  }
}

function assertRetryable(job: Job): void {
  if (job.status !== 'Failed' && job.status !== 'Cancelled') {
    throw new JobStateError(`Job '${job.id}' is ${job.status}; only Failed or Cancelled jobs can be retried.`);
  }
  if (!job.canRetry) throw new JobStateError(`Job '${job.id}' failed permanently and cannot be retried.`);
}

function ignoreSettled(error: unknown): void {
  if (!(error instanceof JobStateError)) throw error;
}

function normalizedWeights(steps: readonly NewFlowStep[]): number[] {
  const raw = steps.map((s) => s.weight ?? 1);
  for (const w of raw) if (!(w > 0) || !Number.isFinite(w)) throw new TypeError(`Step weights must be positive numbers, not ${w}.`);
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / total);
}
