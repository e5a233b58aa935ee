import { EXAMPLE_PLUGINS } from './process.js';
import { serviceFixture } from './service.js';

export * from './service.js';

/** The Conduit master key of the test services. */
export const MASTER_KEY = 'test-master-key-0123456789';

type FixtureOptions = Parameters<typeof serviceFixture>[0];

/**
 * The service composed as `npm start` composes it — the example plugins, loaded by name
 * through TIDINGS_PLUGINS — with a known Conduit master key: for tests of the service's
 * rules (authentication, strict bodies) across every surface.
 */
export function seedServiceFixture(options: FixtureOptions = {}) {
  return serviceFixture({ ...options, config: { conduitMasterKey: MASTER_KEY, plugins: EXAMPLE_PLUGINS.split(','), ...options.config } });
}
