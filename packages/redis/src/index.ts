export { RedisHubLifetimeManager } from './redis-hub-lifetime-manager.js';
export { createRedisHubContext, type RedisHubContext } from './redis-hub-context.js';
export type { RedisConnectionManager } from './connection-manager.js';
export type { ConnectionInfo, NodeInfo, PresenceStats } from './presence/presence-store.js';
export type { RedisBackplaneOptions, RedisHubLifetimeManagerOptions } from './options.js';
export { BackplaneUnavailableError, BackplaneTimeoutError } from './errors.js';
export { BackplaneMetrics, type BackplaneMetricsOptions } from './backplane-metrics.js';
