import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { type HubLogger, consoleLogger } from '@tidings/hub';
import type { Redis, RedisOptions } from 'ioredis';
import type { BackplaneMetrics } from './backplane-metrics.js';
import { requireName } from './validate.js';

/** What every process on the backplane needs: where Redis is and which hub it speaks for. */
export interface RedisBackplaneOptions {
  /**
   * A Redis URL, ioredis options, or an ioredis client. A client is duplicated
   * (its options are reused); the caller keeps and closes its own client.
   */
  readonly redis: string | RedisOptions | Redis;
  /** Extra ioredis options applied to the connections this package opens (e.g. `retryStrategy`). */
  readonly redisOptions?: RedisOptions;
  /** Scopes channels and keys per hub; every node of one hub must use the same name. */
  readonly hub: string;
  /** Prepended to every channel and key, like ASP.NET Core's `ChannelPrefix`. Default `tidings`. */
  readonly channelPrefix?: string;
  /** Unique per process. Default: host name, pid and a random suffix. */
  readonly nodeId?: string;
  /** How long a routed group command waits for the owning node's acknowledgement. Default 5 s. */
  readonly ackTimeoutMs?: number;
  /** Default timeout of client results invoked on another node. Default 30 s (the hub's default). */
  readonly clientResultTimeoutMs?: number;
  /** A Redis command without a reply after this long fails. Default 10 s. */
  readonly commandTimeoutMs?: number;
  /** How long sends wait for the very first connection to Redis. Default 10 s. */
  readonly connectTimeoutMs?: number;
  readonly logger?: HubLogger;
  /** Prometheus series of this backplane (labelled with `hub`), on a registry you own. Without it nothing is measured. */
  readonly metrics?: BackplaneMetrics;
}

/** Options of a node that serves connections. */
export interface RedisHubLifetimeManagerOptions extends RedisBackplaneOptions {
  /** How often this node proves it is alive (and reaps nodes that stopped). Default 5 s. */
  readonly heartbeatIntervalMs?: number;
  /** A node silent for this long is dead: survivors remove its connections. Default 3 heartbeats. */
  readonly nodeTimeoutMs?: number;
}

export interface ResolvedBackplaneOptions {
  readonly redis: string | RedisOptions | Redis;
  readonly redisOptions: RedisOptions;
  readonly hub: string;
  readonly channelPrefix: string;
  readonly nodeId: string;
  readonly ackTimeoutMs: number;
  readonly clientResultTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly nodeTimeoutMs: number;
  readonly logger: HubLogger;
  readonly metrics: BackplaneMetrics | undefined;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`@tidings/redis: '${name}' must be a positive number of milliseconds, got ${String(value)}.`);
  }
  return value;
}

function nonEmpty(name: string, value: unknown): string {
  return requireName(value, `@tidings/redis: '${name}'`);
}

export function defaultNodeId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function resolveOptions(options: RedisHubLifetimeManagerOptions): ResolvedBackplaneOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('@tidings/redis: options are required.');
  if (options.redis === undefined || options.redis === null) {
    throw new TypeError("@tidings/redis: 'redis' is required (a URL, ioredis options or an ioredis client).");
  }
  const heartbeatIntervalMs = positive('heartbeatIntervalMs', options.heartbeatIntervalMs, 5000);
  const nodeTimeoutMs = positive('nodeTimeoutMs', options.nodeTimeoutMs, heartbeatIntervalMs * 3);
  if (nodeTimeoutMs <= heartbeatIntervalMs) {
    throw new RangeError(
      `@tidings/redis: 'nodeTimeoutMs' (${nodeTimeoutMs}) must exceed 'heartbeatIntervalMs' (${heartbeatIntervalMs}), or live nodes would be reaped.`,
    );
  }
  return {
    redis: options.redis,
    redisOptions: options.redisOptions ?? {},
    hub: nonEmpty('hub', options.hub),
    channelPrefix: options.channelPrefix === undefined ? 'tidings' : nonEmpty('channelPrefix', options.channelPrefix),
    nodeId: options.nodeId === undefined ? defaultNodeId() : nonEmpty('nodeId', options.nodeId),
    ackTimeoutMs: positive('ackTimeoutMs', options.ackTimeoutMs, 5000),
    clientResultTimeoutMs: positive('clientResultTimeoutMs', options.clientResultTimeoutMs, 30_000),
    commandTimeoutMs: positive('commandTimeoutMs', options.commandTimeoutMs, 10_000),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, 10_000),
    heartbeatIntervalMs,
    nodeTimeoutMs,
    logger: options.logger ?? consoleLogger,
    metrics: options.metrics,
  };
}
