import { conduitPlugin, type ConduitPluginOptions } from '../../src/surfaces/conduit/conduit-plugin.js';
import { type HotSwapPluginOptions, hotswapPlugin } from '@tidings/example-hotswap';
import { youtubeRagPlugin } from '@tidings/example-youtube-rag';
import { serviceFixture } from './service.js';

export * from './service.js';

/** The Conduit master key of the test services. */
export const MASTER_KEY = 'test-master-key-0123456789';

type FixtureOptions = Parameters<typeof serviceFixture>[0];

/** Tuning of the example plugins (tests shorten windows and drive clocks here). */
export interface SeedOptions {
  readonly conduit?: ConduitPluginOptions;
  readonly hotswap?: HotSwapPluginOptions;
}

/** The service composed as `npm start` composes it, with a known master key and no demo health flips (they would interleave with what a test waits for). */
export function seedOptions(options: FixtureOptions & { seeds?: SeedOptions } = {}): FixtureOptions {
  const { seeds, ...rest } = options;
  const demoSpeed = rest.config?.demoSpeed ?? 10;
  const plugins = [
    conduitPlugin({ demoSpeed, healthFlipIntervalMs: 0, ...seeds?.conduit }),
    youtubeRagPlugin(),
    hotswapPlugin({ demoSpeed, ...seeds?.hotswap }),
  ];
  return { ...rest, config: { conduitMasterKey: MASTER_KEY, ...rest.config }, plugins };
}

/** A service with the example plugins for a whole `describe`. */
export function seedServiceFixture(options: FixtureOptions & { seeds?: SeedOptions } = {}) {
  return serviceFixture(seedOptions(options));
}
