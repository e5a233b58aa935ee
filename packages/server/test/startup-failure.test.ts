import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTidingsServer } from '../src/index.js';
import { tempDir } from './support/service.js';

describe('a service that fails to start', () => {
  it('closes the job store it had already opened', async () => {
    const dir = tempDir();
    try {
      // An impossible hub option makes mounting the first hub throw, after the stores are open.
      await assert.rejects(
        createTidingsServer({ config: { dataDir: dir.path, logLevel: 'silent' }, hubOptions: { maximumParallelInvocationsPerClient: 0 } }),
        /maximumParallelInvocationsPerClient must be at least 1/,
      );
      assert.ok(existsSync(join(dir.path, 'tidings.db')), 'the store was opened');
      // better-sqlite3 in WAL mode removes its -wal file when the database is closed.
      assert.equal(existsSync(join(dir.path, 'tidings.db-wal')), false, 'the job store was closed');
    } finally {
      dir.cleanup();
    }
  });
});
