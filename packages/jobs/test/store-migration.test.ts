import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteJobStore } from '../src/index.js';
import { createJob } from '../src/engine/job-state.js';
import { tempDir } from './support/harness.js';

describe('SqliteJobStore: a file keyed by job and sequence (schema 2)', () => {
  it('is moved to the history in arrival order in place: events kept, sequences continue', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    mkdirSync(join(dir.path, 'v2'), { recursive: true });
    const path = join(dir.path, 'v2', 'jobs.db');
    // The version 2 layout, as @tidings/jobs wrote it before the history moved to arrival order.
    const db = new Database(path);
    db.exec(`CREATE TABLE jobs (id TEXT PRIMARY KEY, type TEXT NOT NULL, owner_id TEXT, status TEXT NOT NULL, parent_id TEXT, subject TEXT,
      created_at TEXT NOT NULL, last_sequence INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL, idempotency TEXT);
      CREATE UNIQUE INDEX jobs_by_idempotency ON jobs (idempotency) WHERE idempotency IS NOT NULL;
      CREATE TABLE job_events (job_id TEXT NOT NULL, sequence INTEGER NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL, data TEXT NOT NULL,
      output TEXT, PRIMARY KEY (job_id, sequence)) WITHOUT ROWID;
      CREATE TABLE job_tags (tag TEXT NOT NULL, job_id TEXT NOT NULL, PRIMARY KEY (tag, job_id)) WITHOUT ROWID;
      PRAGMA user_version = 2;`);
    const job = createJob('old-2', { type: 'Noop', ownerId: 'ann' }, '2025-01-01T00:00:00.000Z', { maxRetries: 0 });
    const at = job.createdAt;
    db.prepare('INSERT INTO jobs VALUES (?, ?, ?, ?, NULL, NULL, ?, 2, ?, NULL)').run(job.id, job.type, job.ownerId, 'Running', at, JSON.stringify({ ...job, status: 'Running', lastSequence: 2 }));
    const insert = db.prepare('INSERT INTO job_events VALUES (?, ?, ?, ?, ?, ?)');
    insert.run(job.id, 1, 'started', at, JSON.stringify({ ...job, status: 'Running', lastSequence: 1 }), null);
    insert.run(job.id, 2, 'output', at, JSON.stringify({ ...job, status: 'Running', lastSequence: 2 }), JSON.stringify({ stream: 'log', data: 'line 1' }));
    db.close();

    const store = new SqliteJobStore(path);
    t.after(() => store.close());
    const before = await store.listEvents(job.id, 0, 10);
    assert.deepEqual(before.map((e) => [e.sequence, e.kind, e.output?.data ?? null]), [[1, 'started', null], [2, 'output', 'line 1']]);
    const next = await store.appendEvent({ ...job, status: 'Completed' }, 'completed', at);
    assert.equal(next.sequence, 3);
    assert.deepEqual((await store.listEvents(job.id, 1, 10)).map((e) => e.sequence), [2, 3]);
    await store.close();

    const check = new Database(path, { readonly: true });
    try {
      assert.equal(check.pragma('user_version', { simple: true }), 4);
      // A rowid table now: the events sit in the order they arrived.
      assert.deepEqual(check.prepare('SELECT sequence FROM job_events ORDER BY rowid').all(), [{ sequence: 1 }, { sequence: 2 }, { sequence: 3 }]);
    } finally {
      check.close();
    }
  });
});
