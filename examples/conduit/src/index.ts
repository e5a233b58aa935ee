import type { TidingsPluginModule } from '@tidings/server';
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

/** For `TIDINGS_PLUGINS=@tidings/example-conduit`: the plugin at the service's DEMO_SPEED. */
const plugins: TidingsPluginModule = (config) => conduitPlugin({ demoSpeed: config.demoSpeed });
export default plugins;
