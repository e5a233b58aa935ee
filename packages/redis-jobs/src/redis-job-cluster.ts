import { type HubLogger, consoleLogger } from '@tidings/hub';
import { type JobEngineOptions, type JobProcessor, JobRegistry, type JobType, type JsonValue, type ProcessorOptions } from '@tidings/jobs';
import type { RedisOptions } from 'ioredis';
import { defaultNodeId } from '@tidings/redis/link';
import type { RedisSource } from '@tidings/redis/link';
import { BullMqQueue } from './bullmq-queue.js';
import { ClusterJobEngine } from './cluster-job-engine.js';
import { JobControl } from './job-control.js';
import { JobEventFeed, type JobEventFeedOptions } from './job-event-feed.js';
import { quietRejections } from './job-write-rejected.js';
import { RedisJobStore } from './redis-job-store.js';
import { JobWorker, type JobWorkerOptions } from './job-worker.js';

export interface RedisJobClusterOptions {
  /** A Redis URL, ioredis options, or an ioredis client (duplicated; you keep and close yours). */
  readonly redis: RedisSource;
  readonly redisOptions?: RedisOptions;
  /** Prefix of every key and channel; every process of one deployment uses the same. Default `tidings`. */
  readonly prefix?: string;
  /** Unique per process. Default: host name, pid and a random suffix. */
  readonly nodeId?: string;
  /** Events kept per job. Default 1000. */
  readonly historyLength?: number;
  /** Entries kept in the feed API nodes tail. Default 10 000. */
  readonly feedLength?: number;
  readonly connectTimeoutMs?: number;
  readonly logger?: HubLogger;
}

export type ClusterEngineOptions = Omit<JobEngineOptions, 'store' | 'runner'> &
  Pick<JobEventFeedOptions, 'blockMs' | 'catchUpTimeoutMs'> & {
    /** How long a cancel waits for the worker holding the job. Default 5000 ms. */
    readonly cancelTimeoutMs?: number;
  };

/**
 * Jobs across processes on one Redis: API nodes enqueue and query through
 * `engine()`, worker processes run them with `worker()`, and every event
 * reaches every API node's sinks in order.
 *
 * ```ts
 * const cluster = new RedisJobCluster({ redis: process.env.REDIS_URL! });
 * cluster.define('Transcription', transcribe, { maxRetries: 2 });
 *
 * // API node
 * const engine = cluster.engine();
 * engine.addSink({ deliver: (event) => hub.publish(event) });
 * await engine.start();
 * await engine.enqueue({ type: 'Transcription', ownerId: 'user-1' });
 *
 * // worker process
 * await cluster.worker({ concurrency: 4 }).start();
 * ```
 */
export class RedisJobCluster {
  readonly store: RedisJobStore;
  readonly queue: BullMqQueue;
  readonly control: JobControl;
  readonly nodeId: string;
  /** The job types of this process: its API engines check submissions against them, its workers run them. */
  readonly registry = new JobRegistry();
  private readonly logger: HubLogger;
  private readonly prefix: string;
  private readonly engines: ClusterJobEngine[] = [];
  private readonly workers: JobWorker[] = [];

  constructor(private readonly options: RedisJobClusterOptions) {
    this.logger = options.logger ?? consoleLogger;
    this.prefix = options.prefix ?? 'tidings';
    this.nodeId = options.nodeId ?? defaultNodeId();
    const connection = { redis: options.redis, redisOptions: options.redisOptions, connectTimeoutMs: options.connectTimeoutMs };
    this.store = new RedisJobStore({
      ...connection,
      prefix: this.prefix,
      historyLength: options.historyLength,
      feedLength: options.feedLength,
      logger: this.logger,
      onWriteRejected: (error) => {
        for (const worker of this.workers) worker.rejected(error);
      },
    });
    this.control = new JobControl({ ...connection, keys: this.store.keys, nodeId: this.nodeId, logger: this.logger });
    this.queue = new BullMqQueue({ ...connection, prefix: this.prefix, control: this.control });
  }

  /**
   * Registers a job type defined with `defineJobType`, for this process's
   * engines (which check input against its schema) and workers alike.
   */
  register(jobType: JobType<never, JsonValue>): this {
    this.registry.register(jobType);
    return this;
  }

  /** Registers the processor for jobs of `type`, for this process's engines and workers alike (as does `define` on one of its engines). */
  define(type: string, processor: JobProcessor, options: ProcessorOptions = {}): this {
    this.registry.define(type, processor, options);
    return this;
  }

  /** Redis is reachable (for health checks). */
  get connected(): boolean {
    return this.store.connected;
  }

  /** Resolves once Redis is reachable (bounded by `connectTimeoutMs`). */
  async ready(): Promise<void> {
    await Promise.all([this.store.ready(), this.queue.ready()]);
  }

  /** An engine for an API node: enqueue, query, cancel, retry; its sinks get every event in the cluster. */
  engine(options: ClusterEngineOptions = {}): ClusterJobEngine {
    const logger = options.logger ?? this.logger;
    const feed = new JobEventFeed({
      redis: this.options.redis,
      redisOptions: this.options.redisOptions,
      connectTimeoutMs: this.options.connectTimeoutMs,
      store: this.store,
      logger,
      blockMs: options.blockMs,
      catchUpTimeoutMs: options.catchUpTimeoutMs,
      sinkTimeoutMs: options.sinkTimeoutMs,
    });
    const engine = new ClusterJobEngine({
      ...options,
      logger: quietRejections(logger),
      store: this.store,
      queue: this.queue,
      registry: this.registry,
      feed,
      control: this.control,
    });
    this.engines.push(engine);
    return engine;
  }

  /** A worker running this cluster's processors (call `start`). */
  worker(options: JobWorkerOptions = {}): JobWorker {
    const logger = options.engine?.logger ?? this.logger;
    const worker = new JobWorker(
      {
        nodeId: this.nodeId,
        redis: this.options.redis,
        redisOptions: this.options.redisOptions,
        prefix: this.prefix,
        store: this.store,
        queue: this.queue,
        control: this.control,
        registry: this.registry,
        logger: this.logger,
      },
      { ...options, engine: { ...options.engine, logger: quietRejections(logger) } },
    );
    this.workers.push(worker);
    return worker;
  }

  /** Closes the workers, engines and connections made here. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.engines.map((e) => e.stop()));
    await Promise.all([this.queue.close(), this.control.close()]);
    await this.store.close();
  }
}
