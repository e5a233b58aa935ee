import type { HubLogger } from '@tidings/hub';
import {
  Executor,
  type Job,
  JobCancelledError,
  type JobEngineOptions,
  JobEventWriter,
  JobInterruptedError,
  JobQueue,
  type JobRegistry,
  type RunnerItem,
  executorDefaults,
  systemClock,
} from '@tidings/jobs';
import { DelayedError, type Job as BullJob, Worker } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import type { RedisSource } from '@tidings/redis/link';
import { type BullMqQueue, QUEUE_NAME, bullPrefix, openRedis } from './bullmq-queue.js';
import type { JobControl } from './job-control.js';
import type { JobWriteRejectedError } from './job-write-rejected.js';
import type { RedisJobStore } from './redis-job-store.js';
import { TypeSlots } from './type-slots.js';

/** How a worker runs attempts: throttling, shutdown grace, retries, bounds, clock, logger (as `JobEngine` takes them). */
export type WorkerEngineOptions = Omit<JobEngineOptions, 'store' | 'runner' | 'sinkTimeoutMs'>;

export interface JobWorkerOptions {
  /** Jobs this worker runs at once. Default 4. */
  readonly concurrency?: number;
  /**
   * How long a worker holds a job without renewing its lock; a worker silent
   * for longer (it died) loses the job to another worker. Default 30 000 ms.
   */
  readonly lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker stopped. Default `lockDurationMs`. */
  readonly stalledIntervalMs?: number;
  /**
   * Times a job may be taken over from a worker that stopped; every takeover
   * after that fails its attempt instead (a job that kills its workers). Default 3.
   */
  readonly maxTakeovers?: number;
  /** How attempts run here (throttling, grace period, retries, clock, logger). */
  readonly engine?: WorkerEngineOptions;
}

export interface JobWorkerDeps {
  /** This process's id; BullMQ records it on every job this worker takes (`processedBy`). */
  readonly nodeId: string;
  readonly redis: RedisSource;
  readonly redisOptions?: RedisOptions;
  readonly prefix: string;
  readonly store: RedisJobStore;
  readonly queue: BullMqQueue;
  readonly control: JobControl;
  readonly registry: JobRegistry;
  readonly logger: HubLogger;
}

function isRunnerItem(value: unknown): value is RunnerItem {
  const item = value as Partial<RunnerItem> | null;
  return typeof item?.jobId === 'string' && typeof item.type === 'string' && typeof item.priority === 'number';
}

/**
 * The Redis backend of the worker: a BullMQ Worker whose jobs one Executor
 * runs, with the state transitions, retries and flows of a local worker.
 * Progress, stages and outcomes go to the Redis store (fenced: an attempt
 * overtaken elsewhere cannot write), whose feed carries them to every API
 * node. Each attempt keeps only its own job in memory (and, for a flow's
 * step, the parent while the step runs); everything else is read from the
 * store, since other workers change those jobs between attempts.
 *
 * A worker that dies keeps no job: BullMQ's stalled-job check hands it to
 * another worker after `lockDurationMs`, which resumes it from its
 * checkpoint (`recovered`, then `started`). Cancel requests from any node
 * reach the worker holding the job. On `close` running attempts checkpoint
 * and their jobs go back to the queue for the other workers.
 */
export class JobWorker {
  private readonly writer: JobEventWriter;
  private readonly jobs: JobQueue;
  private readonly executor: Executor;
  /** Attempts running here: each one's abort (a shutdown) and its end. */
  private readonly attempts = new Map<string, { readonly controller: AbortController; readonly done: Promise<void> }>();
  /** Looks at jobs whose BullMQ job has just ended (close waits for them). */
  private readonly endings = new Set<Promise<void>>();
  private readonly concurrency: number;
  private readonly lockDurationMs: number;
  private readonly maxTakeovers: number;
  private readonly shutdownGraceMs: number;
  private worker: Worker | undefined;
  private connection: Redis | undefined;
  private closing: Promise<void> | undefined;
  /** Jobs of a type with a `concurrency` of its own wait here for a slot. */
  private readonly slots = new TypeSlots();
  /** Aborted when the worker closes: jobs still waiting for a slot go back to the queue untouched. */
  private readonly closed = new AbortController();

  constructor(
    private readonly deps: JobWorkerDeps,
    private readonly options: JobWorkerOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.lockDurationMs = options.lockDurationMs ?? 30_000;
    this.maxTakeovers = options.maxTakeovers ?? 3;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new RangeError(`concurrency must be a positive integer, not ${this.concurrency}.`);
    if (!(this.lockDurationMs >= 100)) throw new RangeError(`lockDurationMs must be at least 100, not ${this.lockDurationMs}.`);
    const engine = options.engine ?? {};
    const clock = engine.clock ?? systemClock;
    const logger = engine.logger ?? deps.logger;
    this.shutdownGraceMs = engine.shutdownGraceMs ?? 5000;
    const { throttleIntervalMs, progressJump } = engine;
    this.writer = JobEventWriter.ordered({ store: deps.store, clock, logger, throttleIntervalMs, progressJump });
    // The worker's own queue: a flow's next step goes to BullMQ; later steps of a failed flow are cancelled here.
    this.jobs = new JobQueue({ store: deps.store, writer: this.writer, registry: deps.registry, dispatcher: deps.queue, clock, maxRetries: engine.maxRetries });
    this.executor = new Executor({
      store: deps.store,
      writer: this.writer,
      registry: deps.registry,
      locks: this.jobs.locks,
      flows: this.jobs.flows,
      clock,
      logger,
      // A job left Pending by its attempt (a retry after backoff) goes back to BullMQ when the attempt ends (requeueIfPending).
      requeue: async () => undefined,
      defaults: executorDefaults(engine),
    });
    this.jobs.heldBy(this.executor);
  }

  /** Attempts running here now. */
  get running(): number {
    return this.attempts.size;
  }

  /** Connected to Redis and taking jobs. */
  get connected(): boolean {
    return this.worker?.isRunning() === true && this.connection?.status === 'ready' && this.deps.control.connected;
  }

  async start(): Promise<void> {
    if (this.worker) return;
    await this.deps.control.serve({
      cancel: (jobId, reason) => this.cancelHere(jobId, reason),
      abort: (jobId, reason) => this.executor.abort(jobId, new JobCancelledError(reason)),
    });
    // BullMQ workers block on their connection and must never give up a command.
    this.connection = openRedis(this.deps.redis, { ...this.deps.redisOptions, maxRetriesPerRequest: null });
    this.connection.on('error', () => undefined); // the job store's connection reports outages
    let failing = false;
    this.worker = new Worker<RunnerItem>(QUEUE_NAME, (job, token) => this.process(job, token), {
      name: this.deps.nodeId,
      connection: this.connection,
      prefix: bullPrefix(this.deps.prefix),
      concurrency: this.concurrency,
      lockDuration: this.lockDurationMs,
      stalledInterval: this.options.stalledIntervalMs ?? this.lockDurationMs,
      // Never BullMQ's: past its limit it fails the job without running our processor, and the job
      // would stay Running in the store. maxTakeovers is the limit (giveUpReason); BullMQ's stall
      // count never resets, so it also counts the takeovers of attempts before an engine retry.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
    });
    this.worker.on('error', (error) => {
      if (!failing) this.deps.logger.warn({ error: error.message }, 'the job worker lost Redis; retrying');
      failing = true;
    });
    this.worker.on('ready', () => (failing = false));
    // A job queued again (a retry) while its BullMQ job was finishing found that job still there
    // and was dropped as a duplicate; now that it has ended, the job is queued again.
    const ended = (bullJob: BullJob<RunnerItem> | undefined) => {
      if (!bullJob || !isRunnerItem(bullJob.data)) return;
      const ending: Promise<void> = this.queueIfPending(bullJob.data).finally(() => this.endings.delete(ending));
      this.endings.add(ending);
    };
    this.worker.on('completed', ended);
    this.worker.on('failed', ended);
    this.worker.on('stalled', (jobId) => this.deps.logger.info({ jobId }, 'a job was stalled (its worker stopped); another worker takes it over'));
    await this.worker.waitUntilReady();
  }

  /** The store refused a write of an attempt here: the job moved on elsewhere, so the attempt stops. */
  rejected(error: JobWriteRejectedError): void {
    this.executor.abort(
      error.jobId,
      error.reason === 'settled'
        ? new JobCancelledError(`The job is already ${error.storedStatus}.`)
        : new JobInterruptedError('Another worker took the job over.'),
    );
  }

  /**
   * Stops taking jobs; running attempts see their signal abort with a
   * JobInterruptedError and get the grace period to checkpoint, and their
   * jobs go back to the queue (Pending, "Interrupted by a shutdown").
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed.abort(new JobInterruptedError('The worker is closing.'));
      const closed = this.worker?.close();
      await this.interruptAttempts();
      await closed;
      await Promise.all(this.endings);
      await this.writer.flushAll();
      await this.writer.drain();
      this.connection?.disconnect();
    })();
    return this.closing;
  }

  /** Aborts every attempt here, waits up to the grace period for them to return, then gives up on the rest. */
  private async interruptAttempts(): Promise<void> {
    const running = [...this.attempts];
    if (running.length === 0) return;
    for (const [, attempt] of running) attempt.controller.abort(new JobInterruptedError());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(running.map(([, attempt]) => attempt.done)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, this.shutdownGraceMs))),
    ]);
    clearTimeout(timer);
    for (const [jobId] of running) if (this.executor.holds(jobId)) await this.executor.abandon(jobId);
  }

  private async process(bullJob: BullJob<RunnerItem>, token: string | undefined): Promise<void> {
    const item = bullJob.data;
    if (!isRunnerItem(item)) {
      this.deps.logger.warn({ bullJobId: bullJob.id }, 'dropped a queued job without a job id, type and priority');
      return;
    }
    const limit = this.deps.registry.get(item.type)?.options.concurrency;
    const release = await this.slots.acquire(item.type, limit, this.closed.signal).catch(() => undefined);
    if (release) {
      try {
        await this.runAttempt(bullJob, item);
      } finally {
        release();
      }
    }
    await this.requeueIfPending(bullJob, item, token);
  }

  private async runAttempt(bullJob: BullJob<RunnerItem>, item: RunnerItem): Promise<void> {
    // Taken just as the worker began closing: back to the queue untouched.
    if (this.closing) return;
    const controller = new AbortController();
    const done = (async () => {
      try {
        const failWith = await this.giveUpReason(bullJob, item);
        await this.executor.resume(item, controller.signal, { failWith });
      } catch (error) {
        this.deps.logger.error({ jobId: item.jobId, err: error }, 'running a job attempt failed');
      }
    })();
    this.attempts.set(item.jobId, { controller, done });
    try {
      await done;
    } finally {
      this.attempts.delete(item.jobId);
    }
  }

  /** The job still has work ahead (a retry after its backoff, or it was interrupted): its BullMQ job goes back. */
  private async requeueIfPending(bullJob: BullJob<RunnerItem>, item: RunnerItem, token: string | undefined): Promise<void> {
    let job: Job | undefined;
    try {
      // Most attempts end with the job settled: its status says so without reading the job.
      if (!token || (await this.deps.store.statusOf(item.jobId)) !== 'Pending') return;
      job = await this.deps.store.getJob(item.jobId);
    } catch (error) {
      // BullMQ completes it; the job stays as stored until someone retries it.
      this.deps.logger.error({ jobId: item.jobId, err: error }, 'could not read a job after its attempt; it is not queued again');
      return;
    }
    if (job?.status !== 'Pending') return;
    const at = job.notBefore ? Date.parse(job.notBefore) : 0;
    await bullJob.moveToDelayed(Math.max(at, Date.now()), token);
    // Promoting wakes the other workers now (moving a prioritized job back to wait does not).
    if (at <= Date.now()) await bullJob.promote();
    throw new DelayedError();
  }

  /** Queues the job if the store has it waiting to run (in a flow, once the step before it has completed). */
  private async queueIfPending(item: RunnerItem): Promise<void> {
    try {
      if ((await this.deps.store.statusOf(item.jobId)) !== 'Pending') return;
      const job = await this.deps.store.getJob(item.jobId);
      if (job?.status !== 'Pending') return;
      if (job.dependsOn && (await this.deps.store.getJob(job.dependsOn))?.status !== 'Completed') return;
      await this.deps.queue.enqueue(item, { delayMs: job.notBefore ? Date.parse(job.notBefore) - Date.now() : 0 });
    } catch (error) {
      this.deps.logger.error({ jobId: item.jobId, err: error }, 'could not queue a job again after its BullMQ job ended');
    }
  }

  /** A job taken over more than `maxTakeovers` times gives up its attempt (it keeps killing its workers). */
  private async giveUpReason(bullJob: BullJob<RunnerItem>, item: RunnerItem): Promise<string | undefined> {
    const takeovers = bullJob.stalledCounter ?? 0;
    if (takeovers <= this.maxTakeovers) return undefined;
    // Unreadable now (Redis away): run the attempt; its first write will tell.
    const job = await this.deps.store.getJob(item.jobId).catch(() => undefined);
    if (job?.status !== 'Running') return undefined;
    this.deps.logger.warn({ jobId: item.jobId, takeovers }, 'a job stopped its workers too often; failing its attempt');
    return `Its worker stopped ${takeovers} times while running it; this attempt is given up.`;
  }

  /** A cancel request for a job this worker runs (or a flow whose step it runs): cancelled here, with its flow. */
  private async cancelHere(jobId: string, reason: string): Promise<Job | undefined> {
    if (!this.executor.holds(jobId) && !this.jobs.flows.parent(jobId)) return undefined;
    return this.jobs.cancel(jobId, reason);
  }
}
