import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULT_CONFIG, loadPlugins } from '@tidings/server';
import { startService, tempDir } from '../../../packages/server/test/support/service.js';

const KEY = 'a-master-key-of-24-chars';

describe('Conduit as TIDINGS_PLUGINS loads it', () => {
  it('takes CONDUIT_MASTER_KEY from the environment and refuses a short one', async () => {
    const config = { ...DEFAULT_CONFIG, plugins: ['@tidings/example-conduit'] };
    await assert.rejects(loadPlugins(config, { CONDUIT_MASTER_KEY: 'short' }), (error: unknown) => error instanceof ConfigError && /CONDUIT_MASTER_KEY must be at least 16 characters/.test(error.message));
    const [conduit] = await loadPlugins(config, { CONDUIT_MASTER_KEY: KEY });
    assert.equal(conduit?.name, 'conduit');
    assert.deepEqual(conduit?.jobTypes?.map((t) => t.name), ['ConduitVideoGeneration', 'ConduitImageGeneration']);

    const dir = tempDir();
    const service = await startService(dir.path, { plugins: [conduit!] });
    try {
      assert.equal((await service.http('/api/conduit/admin/virtual-keys', { token: KEY })).status, 200, 'the key from the environment is the master key');
      assert.equal((await service.http('/api/conduit/admin/virtual-keys', { token: `${KEY}-not` })).status, 401);
    } finally {
      await service.close();
      dir.cleanup();
    }
  });
});
