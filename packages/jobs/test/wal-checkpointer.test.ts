import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { WalCheckpointer } from '../src/store/wal-checkpointer.js';
import { tempDir, waitFor } from './support/harness.js';

describe('WalCheckpointer', () => {
  it('copies the WAL into the database file from its own thread once the WAL passes its threshold', async (t) => {
    const dir = tempDir();
    const path = join(dir.path, 'jobs.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    // The writer never checkpoints: only the thread can move the pages into the file.
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (v TEXT)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 256; i++) insert.run('x'.repeat(4000));
    })();
    const before = statSync(path).size;
    assert.ok(statSync(`${path}-wal`).size > 1024 * 1024, 'the rows sit in the WAL');
    assert.ok(before < 64 * 1024, `the database file holds none of them yet (${before} bytes)`);

    const checkpointer = new WalCheckpointer(path, { thresholdBytes: 256 * 1024, intervalMs: 10 });
    t.after(async () => {
      await checkpointer.close();
      db.close();
      dir.cleanup();
    });
    await waitFor(() => statSync(path).size > 1024 * 1024, 5000, 'the checkpoint thread to copy the WAL into the file');
    assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 256);
  });

  it('closes, and lets the process exit while idle', async () => {
    const dir = tempDir();
    const path = join(dir.path, 'jobs.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    const checkpointer = new WalCheckpointer(path);
    await checkpointer.close();
    await checkpointer.close();
    db.close();
    dir.cleanup();
  });
});
