import { type Clock, systemClock } from '../clock.js';
import { JobStateError } from '../errors.js';
import type { JobEventSink } from '../events/job-event-sink.js';
import { JobEventWriter, type WriterMetrics } from '../events/job-event-writer.js';
import type { JobEvents, JobEventsMetrics } from '../events/job-events.js';
import { LocalJobEvents } from '../events/local-job-events.js';
import type { JobType } from '../job-type.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { type JobLogger, silentJobLogger } from '../logger.js';
import type { Job, JobEvent, JobFilter, JsonValue } from '../model.js';
import { JobQueue, type NewFlow, type NewJob, type Submission } from '../queue/job-queue.js';
import { JobRegistry } from '../queue/job-registry.js';
import { InProcessRunner } from '../runner/in-process-runner.js';
import type { JobRunner, RunnerStats } from '../runner/job-runner.js';
import type { JobStore } from '../store/job-store.js';
import { LocalJobWorker } from '../worker/local-job-worker.js';
import type { Backoff, JobProcessor, OutputLimits, ProcessorOptions } from './processor.js';

export type { NewJob, NewFlow, NewFlowStep, Submission } from '../queue/job-queue.js';

export interface JobEngineOptions {
  readonly store: JobStore;
  /** Default: an InProcessRunner with concurrency 4 on the same clock. */
  readonly runner?: JobRunner;
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

export interface EngineMetrics extends WriterMetrics, JobEventsMetrics, RunnerStats {}

/** The parts of an engine built elsewhere: an API node on Redis is a queue and a feed, with no worker. */
export interface JobEngineParts {
  readonly queue: JobQueue;
  readonly events: JobEvents;
  /** Runs the jobs in this process; none: they run elsewhere (BullMQ workers). */
  readonly worker?: EngineWorker;
}

/** What the engine needs of a worker of its own. */
export interface EngineWorker {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The local composition: SQLite (or any store), the in-process runner, LocalJobEvents. */
function localParts(options: JobEngineOptions): Required<JobEngineParts> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentJobLogger;
  const events = new LocalJobEvents({ store: options.store, logger, sinkTimeoutMs: options.sinkTimeoutMs });
  const writer = new JobEventWriter({
    store: options.store,
    line: events,
    clock,
    logger,
    throttleIntervalMs: options.throttleIntervalMs,
    progressJump: options.progressJump,
  });
  const runner = options.runner ?? new InProcessRunner({ clock, logger });
  const queue = new JobQueue({ store: options.store, writer, registry: new JobRegistry(), dispatcher: runner, locks: new KeyedMutex(), clock, maxRetries: options.maxRetries });
  const { shutdownGraceMs, backoff, outputLimits, maxMetadataBytes } = options;
  const worker = new LocalJobWorker({ queue, runner, logger, shutdownGraceMs, backoff, outputLimits, maxMetadataBytes });
  return { queue, events, worker };
}

/**
 * Jobs with stages and live progress, in BullMQ's shape: a queue (submit,
 * flows, cancel, retry, queries), job events (sinks, `withJobState`) and,
 * where jobs run in this process, a worker. `new JobEngine({ store })` is the
 * local composition (the store, the in-process runner, local events);
 * `new JobEngine({ queue, events, worker })` composes parts built elsewhere
 * (an API node on Redis: a queue on BullMQ and the Redis feed, no worker).
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
  readonly queue: JobQueue;
  private readonly jobEvents: JobEvents;
  private readonly worker: EngineWorker | undefined;
  private state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';

  constructor(options: JobEngineOptions | JobEngineParts) {
    const parts = 'queue' in options ? options : localParts(options);
    this.queue = parts.queue;
    this.jobEvents = parts.events;
    this.worker = parts.worker;
  }

  /**
   * Registers a job type defined with `defineJobType` (replacing any of the
   * same name): `enqueue` checks every job's input against its schema
   * (compiled here, once).
   */
  register(jobType: JobType<never, JsonValue>): this {
    this.queue.registry.register(jobType);
    return this;
  }

  /** Registers the processor for jobs of `type` (replacing any before it); its input is not checked. */
  define(type: string, processor: JobProcessor, options: ProcessorOptions = {}): this {
    this.queue.registry.define(type, processor, options);
    return this;
  }

  /** The job types registered with `register`, with their schemas (a `GET /job-types` lists these). */
  get jobTypes(): JobType<never, JsonValue>[] {
    return this.queue.registry.jobTypes;
  }

  /** Job types with a processor. */
  get types(): string[] {
    return this.queue.registry.types;
  }

  /** Every event goes to every sink, in sequence order per job. Returns a function that removes the sink. */
  addSink(sink: JobEventSink): () => void {
    return this.jobEvents.addSink(sink);
  }

  get metrics(): EngineMetrics {
    return { ...this.queue.writer.metrics, sinkFailures: this.jobEvents.metrics.sinkFailures, ...this.queue.dispatcher.stats };
  }

  /** Starts delivering events and, with a worker, recovers what the last process left unfinished and runs jobs. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new JobStateError(`The engine cannot start: it is ${this.state}.`);
    this.state = 'running';
    await this.jobEvents.start();
    await this.worker?.start();
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
      this.queue.close();
      await this.jobEvents.stop();
      return;
    }
    this.state = 'stopping';
    this.queue.close();
    await this.worker?.stop();
    await this.queue.locks.idle();
    await this.queue.writer.flushAll();
    await this.queue.writer.drain();
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
  submit(spec: NewJob): Promise<Submission> {
    return this.queue.submit(spec);
  }

  /** Creates a parent and its steps; the first step is queued, each next one when the one before completes. */
  enqueueFlow(spec: NewFlow): Promise<{ parent: Job; children: Job[] }> {
    return this.queue.enqueueFlow(spec);
  }

  /** The job's state as of its last event. */
  get(id: string): Promise<Job | undefined> {
    return this.queue.get(id);
  }

  list(filter: JobFilter = {}): Promise<Job[]> {
    return this.queue.list(filter);
  }

  /** A flow's children in step order. */
  children(parentId: string): Promise<Job[]> {
    return this.queue.children(parentId);
  }

  /** The job's stored events after sequence `after`, in order. */
  events(id: string, after = 0, limit = 1000): Promise<JobEvent[]> {
    return this.queue.events(id, after, limit);
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
  cancel(id: string, reason = 'Cancelled by request'): Promise<Job> {
    return this.queue.cancel(id, reason);
  }

  /**
   * Runs a Failed or Cancelled job again (retryCount + 1, checkpoint dropped).
   * Retrying a flow, or any of its steps, re-runs the flow from its first
   * unfinished step.
   */
  retry(id: string): Promise<Job> {
    return this.queue.retry(id);
  }
}
