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
  // Conduit's plugin module reads its master key from the environment, as under `npm start`
  // (each test file runs in a process of its own).
  process.env.CONDUIT_MASTER_KEY = MASTER_KEY;
  return serviceFixture({ ...options, config: { plugins: EXAMPLE_PLUGINS.split(','), ...options.config } });
}
