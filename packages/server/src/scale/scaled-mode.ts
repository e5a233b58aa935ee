import { type HubLifetimeManager, type HubOptions, HubServer } from '@tidings/hub';
import { type BackplaneMetrics, RedisHubLifetimeManager } from '@tidings/redis';
import { type ClusterJobEngine, type JobWorker, RedisJobCluster } from '@tidings/redis-jobs';
import type { Role, ServerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { ScaledHubServer } from './scaled-hub-server.js';

export interface ScaledModeOptions {
  readonly config: ServerConfig & { readonly redisUrl: string };
  readonly logger: Logger;
  /** At most one ordinary progress event per job per this many ms. Default 1000. */
  readonly throttleIntervalMs?: number;
  /** Every hub's backplane reports its publishes, receives, lag and Redis connections here (the service's registry). */
  readonly backplaneMetrics?: BackplaneMetrics;
}

/**
 * The service on Redis (REDIS_URL set): jobs in the Redis store and on BullMQ,
 * each hub on the Redis backplane under its path as hub name.
 *
 * - role `api`: REST and hubs; enqueues; delivers the feed's job events to its
 *   own connections through `context.local` (so each connection gets each
 *   event once, in order).
 * - role `worker`: runs the jobs; no HTTP, no connections.
 * - role `all`: both in one process.
 */
export class ScaledMode {
  readonly role: Role;
  readonly cluster: RedisJobCluster;
  readonly engine: ClusterJobEngine;
  private readonly backplanes = new Map<string, RedisHubLifetimeManager>();
  private worker: JobWorker | undefined;

  constructor(private readonly options: ScaledModeOptions) {
    const { config, logger } = options;
    this.role = config.role;
    this.cluster = new RedisJobCluster({ redis: config.redisUrl, prefix: config.redisPrefix, logger: logger.child({ component: 'redis-jobs' }) });
    this.engine = this.cluster.engine({
      logger: logger.child({ component: 'jobs' }),
      shutdownGraceMs: config.shutdownGraceMs,
      throttleIntervalMs: options.throttleIntervalMs,
    });
  }

  /** Redis is reachable by every part this process uses. */
  get connected(): boolean {
    if (!this.cluster.connected || !this.cluster.control.connected) return false;
    if (this.worker && !this.worker.connected) return false;
    for (const backplane of this.backplanes.values()) if (!backplane.connected) return false;
    return this.role === 'worker' || this.engine.feed.reading;
  }

  /** What `/health/ready` checks: Redis (the job store, the control channel, the worker), every hub's backplane subscribed, the feed read. */
  readiness(): Record<string, () => boolean> {
    return {
      redis: () => this.cluster.connected && this.cluster.control.connected && (this.worker?.connected ?? true),
      backplane: () => [...this.backplanes.values()].every((backplane) => backplane.connected),
      ...(this.role === 'worker' ? {} : { feed: () => this.engine.feed.reading }),
    };
  }

  /** The node id of the worker holding a job now (BullMQ's `processedBy`), for metrics and logs. */
  workerOf(jobId: string): Promise<string | undefined> {
    return this.cluster.queue.holderOf(jobId);
  }

  /** The hub server: on API nodes each hub on the backplane; a worker serves no connections. */
  createHubServer(options: HubOptions): HubServer {
    if (this.role === 'worker') return new HubServer(options);
    return new ScaledHubServer(options, (path) => this.lifetimeManagerFor(path));
  }

  /** Waits for Redis (failing after the connect timeout) and starts the worker if this process runs jobs. */
  async start(): Promise<void> {
    await this.cluster.ready();
    await Promise.all([...this.backplanes.values()].map((b) => b.ready()));
    if (this.role !== 'api') await this.startWorker();
  }

  /** Lets running jobs checkpoint; they go back to the queue for the other workers. */
  async stopWorker(): Promise<void> {
    await this.worker?.close();
  }

  async health(): Promise<object> {
    const queue = await this.cluster.queue.refreshStats().catch(() => undefined);
    return {
      connected: this.connected,
      role: this.role,
      nodeId: this.cluster.nodeId,
      store: this.cluster.store.connected,
      ...(this.role === 'worker' ? {} : { feed: { reading: this.engine.feed.reading, ...this.engine.feed.metrics } }),
      backplane: Object.fromEntries([...this.backplanes].map(([path, b]) => [path, { connected: b.connected, nodeId: b.nodeId }])),
      ...(this.worker ? { worker: { connected: this.worker.connected, running: this.worker.running } } : {}),
      queue: queue ?? 'unavailable',
    };
  }

  /** Closes the worker, the feed and the Redis connections (hub backplanes close with their hubs). */
  async close(): Promise<void> {
    await this.cluster.close();
  }

  private async startWorker(): Promise<void> {
    const { config, logger } = this.options;
    this.worker = this.cluster.worker({
      concurrency: config.jobConcurrency,
      lockDurationMs: config.jobLockMs,
      engine: { logger: logger.child({ component: 'worker' }), shutdownGraceMs: config.shutdownGraceMs, throttleIntervalMs: this.options.throttleIntervalMs },
    });
    await this.worker.start();
  }

  private lifetimeManagerFor(path: string): HubLifetimeManager {
    const { config, logger } = this.options;
    const backplane = new RedisHubLifetimeManager({
      redis: config.redisUrl,
      hub: path,
      channelPrefix: config.redisPrefix,
      nodeId: this.cluster.nodeId,
      heartbeatIntervalMs: Math.max(100, Math.round(config.nodeTimeoutMs / 3)),
      nodeTimeoutMs: config.nodeTimeoutMs,
      logger: logger.child({ component: 'backplane', hub: path }),
      metrics: this.options.backplaneMetrics,
    });
    this.backplanes.set(path, backplane);
    // Its `local` view is each hub context's `context.local`: where every node
    // delivers the same job event, the send site says it stays on this node.
    return backplane;
  }
}
