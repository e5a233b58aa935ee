import { ConfigError, type TidingsPluginModule } from '@tidings/server';
import { conduitPlugin } from './conduit-plugin.js';

export { conduitPlugin, type ConduitPluginOptions } from './conduit-plugin.js';
export type { ConduitOptions } from './conduit-surface.js';
export { conduitJobTypes, GenerationInput, DEMO_FAILURE_MARKER, DEMO_PRICES } from './demo/generation-processors.js';
export { HubConstants, GroupPatterns, TASK_TYPES, type ConduitTaskKind } from './conduit-constants.js';
export { AcknowledgingHub, type ReliableHubRuntime } from './reliability/acknowledging-hub.js';
export { AcknowledgementTracker, type RetryPolicy } from './reliability/acknowledgement-tracker.js';
export { DeadLetterStore } from './reliability/dead-letter-store.js';
export { MessageBatcher } from './reliability/message-batcher.js';
export { FixedWindowRateLimiter } from './reliability/fixed-window-rate-limiter.js';
export { type ConduitStores, localConduitStores } from './stores/conduit-stores.js';
export { type RedisConduitStoresOptions, redisConduitStores } from './stores/redis-conduit-stores.js';

/**
 * For `TIDINGS_PLUGINS=@tidings/example-conduit`: the plugin at the service's DEMO_SPEED, with
 * `CONDUIT_MASTER_KEY` (at least 16 characters; unset, one is generated at start into DATA_DIR).
 */
const plugins: TidingsPluginModule = (config, env) => {
  const masterKey = env.CONDUIT_MASTER_KEY?.trim() || undefined;
  if (masterKey !== undefined && masterKey.length < 16) throw new ConfigError('CONDUIT_MASTER_KEY must be at least 16 characters long.');
  return conduitPlugin({ demoSpeed: config.demoSpeed, masterKey });
};
export default plugins;
