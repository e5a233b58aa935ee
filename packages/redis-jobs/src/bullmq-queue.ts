import { type JobRunner, JobStateError, type RunnerItem, type RunnerStats } from '@tidings/jobs';
import { type JobsOptions, Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisSource } from '@tidings/redis/link';
import type { JobControl } from './job-control.js';

/** BullMQ priorities run lowest first and must lie in 1…2^21; the engine's run highest first. */
const PRIORITY_BASE = 1_000_000;
const PRIORITY_MAX = 2_097_152;

export function bullPriority(priority: number): number {
  return Math.min(PRIORITY_MAX, Math.max(1, PRIORITY_BASE - priority));
}

/** Opens an ioredis connection of our own from a URL, options or a client (duplicated). */
export function openRedis(source: RedisSource, options: RedisOptions): Redis {
  if (source instanceof Redis) return source.duplicate(options);
  if (typeof source === 'string') return new Redis(source, options);
  return new Redis({ ...source, ...options });
}

export interface BullMqQueueOptions {
  readonly redis: RedisSource;
  readonly redisOptions?: RedisOptions;
  /** Prefix of the queue's keys (under `{prefix}:bullmq:`); the same on every process. Default `tidings`. */
  readonly prefix?: string;
  /** Tells the worker holding a job to abort it when it cannot be removed from the queue. */
  readonly control: JobControl;
}

export const QUEUE_NAME = 'jobs';

/** A job waiting for the turn's add call. */
interface PendingAdd {
  readonly name: string;
  readonly data: RunnerItem;
  readonly opts: JobsOptions;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export function bullPrefix(prefix: string): string {
  return `${prefix}:bullmq`;
}

/**
 * The job runner of API nodes: jobs go into a BullMQ queue and JobWorker
 * processes run them. Each job is one BullMQ job whose id is the job's id,
 * so queueing a job already in the queue leaves it as it is.
 *
 * Cancelling removes the job from the queue; a job a worker has already
 * taken is locked, so the worker is told to abort it instead.
 *
 * The jobs queued in one turn (a burst of submissions) go to BullMQ in one
 * bulk add: one round trip instead of one per job.
 */
export class BullMqQueue implements JobRunner {
  readonly queue: Queue;
  private readonly connection: Redis;
  private counts: RunnerStats = { running: 0, queued: 0, delayed: 0 };
  private adds: PendingAdd[] = [];
  /** Bulk adds under way (close waits for them). */
  private readonly adding = new Set<Promise<void>>();

  constructor(private readonly options: BullMqQueueOptions) {
    // Fail fast while Redis is away instead of queueing adds that would land late.
    this.connection = openRedis(options.redis, { ...options.redisOptions, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.connection.on('error', () => undefined); // the job store's connection reports outages
    this.queue = new Queue(QUEUE_NAME, { connection: this.connection, prefix: bullPrefix(options.prefix ?? 'tidings') });
    this.queue.on('error', () => undefined);
  }

  /** The counts from the last `refreshStats`, across the cluster: running (active), queued (waiting), delayed. */
  get stats(): RunnerStats {
    return this.counts;
  }

  async refreshStats(): Promise<RunnerStats> {
    const c = await this.queue.getJobCounts('active', 'waiting', 'prioritized', 'delayed');
    this.counts = { running: c.active ?? 0, queued: (c.waiting ?? 0) + (c.prioritized ?? 0), delayed: c.delayed ?? 0 };
    return this.counts;
  }

  /** The node id of the worker that took the job last (BullMQ's `processedBy`), while BullMQ still has it. */
  async holderOf(jobId: string): Promise<string | undefined> {
    return (await this.queue.getJob(jobId))?.processedBy ?? undefined;
  }

  async ready(): Promise<void> {
    await this.queue.waitUntilReady();
  }

  async start(): Promise<void> {
    throw new JobStateError('Jobs queued with BullMqQueue run in JobWorker processes; this engine only enqueues.');
  }

  enqueue(item: RunnerItem, options: { readonly delayMs?: number } = {}): Promise<void> {
    const data: RunnerItem = { jobId: item.jobId, type: item.type, priority: item.priority };
    const opts: JobsOptions = {
      jobId: item.jobId,
      delay: Math.max(0, Math.round(options.delayMs ?? 0)),
      priority: bullPriority(item.priority),
      // The engine retries and keeps the history; a finished BullMQ job has nothing left to say.
      attempts: 1,
      removeOnComplete: true,
      removeOnFail: true,
    };
    return new Promise((resolve, reject) => {
      this.adds.push({ name: item.type, data, opts, resolve, reject });
      if (this.adds.length === 1) setImmediate(this.flushAdds);
    });
  }

  private readonly flushAdds = (): void => {
    const batch = this.adds;
    if (batch.length === 0) return;
    this.adds = [];
    const adding: Promise<void> = this.addBatch(batch).finally(() => this.adding.delete(adding));
    this.adding.add(adding);
  };

  private async addBatch(batch: readonly PendingAdd[]): Promise<void> {
    try {
      await this.queue.addBulk(batch.map(({ name, data, opts }) => ({ name, data, opts })));
    } catch {
      // Some add failed (Redis away, say): each job on its own, so each caller learns its own outcome;
      // a job the bulk add did queue stays as it is (BullMQ keeps one job per id).
      await Promise.all(batch.map(({ name, data, opts, resolve, reject }) => this.queue.add(name, data, opts).then(() => resolve(), reject)));
      return;
    }
    for (const add of batch) add.resolve();
  }

  async cancel(jobId: string, reason: Error): Promise<void> {
    const removed = await this.queue.remove(jobId);
    if (removed !== 1) await this.options.control.abort(jobId, reason.message);
  }

  /** Nothing runs here. */
  async stop(): Promise<string[]> {
    return [];
  }

  async close(): Promise<void> {
    this.flushAdds();
    await Promise.all(this.adding);
    await this.queue.close();
    this.connection.disconnect();
  }
}
