import type { SeedSurfacesOptions } from '../../src/surfaces/seed-surfaces.js';
import { serviceFixture } from './service.js';

export * from './service.js';

/** The Conduit master key of the test services. */
export const MASTER_KEY = 'test-master-key-0123456789';

type FixtureOptions = Parameters<typeof serviceFixture>[0];

/** Seed surfaces for tests: a known master key, no demo health flips (they would interleave with what a test waits for). */
export function seedOptions(options: FixtureOptions = {}): FixtureOptions {
  const seeds: SeedSurfacesOptions = { ...options.seeds, conduit: { healthFlipIntervalMs: 0, ...options.seeds?.conduit } };
  return { ...options, config: { conduitMasterKey: MASTER_KEY, ...options.config }, seeds };
}

/** A service with the seed surfaces for a whole `describe`. */
export function seedServiceFixture(options: FixtureOptions = {}) {
  return serviceFixture(seedOptions(options));
}
