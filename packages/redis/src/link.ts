/**
 * The connection pieces `@tidings/redis-jobs` builds on: one ioredis
 * connection that fails fast while Redis is away, a subscription set that
 * survives reconnects, and the default node id. Not needed by backplane users.
 */
export { RedisLink, type RedisSource } from './redis-link.js';
export { ChannelSubscriptions } from './channel-subscriptions.js';
export { defaultNodeId } from './options.js';
export { BackplaneUnavailableError } from './errors.js';
