export { RedisHubLifetimeManager } from './redis-hub-lifetime-manager.js';
export { createRedisHubContext, type RedisHubContext } from './redis-hub-context.js';
export type { RedisPresence } from './cluster-presence.js';
export type { ConnectionInfo, NodeInfo, PresenceStats } from './presence/presence-store.js';
export type { RedisBackplaneOptions, RedisHubLifetimeManagerOptions } from './options.js';
export { BackplaneUnavailableError, BackplaneTimeoutError } from './errors.js';
export { BackplaneMetrics, type BackplaneMetricsOptions } from './backplane-metrics.js';
