import { youtubeRagPlugin } from '@tidings/example-youtube-rag';
import { type ConduitPluginOptions, conduitPlugin } from '../../src/index.js';
import { serviceFixture } from '../../../../packages/server/test/support/service.js';

export * from '../../../../packages/server/test/support/service.js';

/** The Conduit master key of the test services. */
export const MASTER_KEY = 'test-master-key-0123456789';

type FixtureOptions = Parameters<typeof serviceFixture>[0];

/**
 * The service with Conduit — and YoutubeRag, which shares `/hubs/notifications` with it —
 * a known master key and no demo health flips (they would interleave with what a test waits for).
 */
export function conduitOptions(options: FixtureOptions & { conduit?: ConduitPluginOptions } = {}): FixtureOptions {
  const { conduit, ...rest } = options;
  const demoSpeed = rest.config?.demoSpeed ?? 10;
  const plugins = [conduitPlugin({ demoSpeed, masterKey: MASTER_KEY, healthFlipIntervalMs: 0, ...conduit }), youtubeRagPlugin()];
  return { ...rest, plugins };
}

/** A service with Conduit for a whole `describe`. */
export function conduitFixture(options: FixtureOptions & { conduit?: ConduitPluginOptions } = {}) {
  return serviceFixture(conduitOptions(options));
}
