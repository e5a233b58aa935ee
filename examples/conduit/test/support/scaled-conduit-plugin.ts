/**
 * The Conduit plugin as the scaled-mode tests load it into `main.ts`
 * (`TIDINGS_PLUGINS=./examples/conduit/test/support/scaled-conduit-plugin.ts`):
 * the module `npm start` loads, with Conduit's tuning from `CONDUIT_TEST_OPTIONS`
 * (JSON) so acknowledgement timeouts and spend windows suit a test.
 */
import type { TidingsPluginModule } from '@tidings/server';
import { type ConduitPluginOptions, conduitPlugin } from '../../src/index.js';

const plugins: TidingsPluginModule = (config, env) => {
  const options = JSON.parse(env.CONDUIT_TEST_OPTIONS ?? '{}') as ConduitPluginOptions;
  return conduitPlugin({ demoSpeed: config.demoSpeed, masterKey: env.CONDUIT_MASTER_KEY, ...options });
};
export default plugins;
