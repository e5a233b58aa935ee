import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { type Job, SqliteJobStore } from '../src/index.js';
import { createJob } from '../src/engine/job-state.js';
import { harness, tempDir, waitFor } from './support/harness.js';

/** What GET /jobs/:id/events shows of a job: all but the input and checkpoint, which no event reports. */
function reported(job: Job): Omit<Job, 'input' | 'checkpoint'> {
  const { input: _input, checkpoint: _checkpoint, ...rest } = job;
  return rest;
}

describe('SqliteJobStore: progress stored as what changed', () => {
  it('keeps a progress event to its delta, and the history rebuilds the job each subscriber saw', async (t) => {
    const dir = tempDir();
    const h = harness(dir.path, { throttleIntervalMs: 0 });
    t.after(async () => {
      await h.close();
      dir.cleanup();
    });
    const big = 'x'.repeat(20_000);
    h.engine.define('Report', async (_job, ctx) => {
      await ctx.stage('fetch', 10, 'fetching');
      await ctx.metadata({ source: 'test' });
      await ctx.progress(30, 'a third');
      await ctx.checkpoint({ at: 30, big });
      await ctx.progress(60);
      await ctx.output('line 1');
      await ctx.progress(90, undefined, { stageProgress: 50 });
      return { result: { done: true } };
    });
    await h.engine.start();
    const job = await h.engine.enqueue({ type: 'Report', input: { big } });
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'completed'), 10_000, 'the job to complete');
    await h.engine.stop();

    const delivered = h.eventsOf(job.id);
    const history = await h.store.listEvents(job.id, 0, 100);
    assert.deepEqual(
      history.map((e) => [e.sequence, e.kind, e.output ?? null, reported(e.job)]),
      delivered.map((e) => [e.sequence, e.kind, e.output ?? null, reported(e.job)]),
      'every event of the history shows the job as it was delivered',
    );
    // A page starting between two whole events finds its base.
    for (let after = 1; after < history.length; after++) {
      assert.deepEqual((await h.store.listEvents(job.id, after, 2)).map((e) => reported(e.job)), history.slice(after, after + 2).map((e) => reported(e.job)));
    }
    // The event after the checkpoint carries it (that event was stored whole).
    const afterSave = history.find((e) => e.kind === 'progress' && e.job.progress === 60)!;
    assert.deepEqual(afterSave.job.checkpoint, { at: 30, big });

    const raw = new Database(join(dir.path, 'jobs.db'), { readonly: true });
    t.after(() => raw.close());
    const rows = raw.prepare<[string], { kind: string; whole: number; size: number }>('SELECT kind, whole, length(data) AS size FROM job_events WHERE job_id = ? ORDER BY sequence').all(job.id);
    const slim = rows.filter((r) => r.whole === 0);
    assert.ok(slim.length >= 3, `progress events are kept as deltas (${JSON.stringify(rows)})`);
    for (const r of slim) assert.ok(r.size < 1000, `a ${r.kind} event holds what changed, not the 20 kB input (${r.size} bytes)`);
    for (const r of rows.filter((r) => !['progress', 'stage', 'output', 'outputTruncated'].includes(r.kind))) assert.equal(r.whole, 1, `${r.kind} is stored whole`);
  });

  it('answers getJob and listJobs with the latest progress though the row was written at the last status change', async (t) => {
    const dir = tempDir();
    const store = new SqliteJobStore(join(dir.path, 'jobs.db'));
    t.after(async () => {
      await store.close();
      dir.cleanup();
    });
    const job = createJob('job-1', { type: 'Noop', ownerId: 'ann', tags: ['t'] }, '2026-01-01T00:00:00.000Z', { maxRetries: 0 });
    await store.insertJobs([job]);
    await store.appendEvent({ ...job, status: 'Running' }, 'started', job.createdAt);
    await store.appendEvent({ ...job, status: 'Running', progress: 40, statusMessage: 'forty' }, 'progress', job.createdAt);
    const latest = await store.appendEvent({ ...job, status: 'Running', progress: 70 }, 'progress', job.createdAt);
    assert.equal(latest.sequence, 3);

    const found = await store.getJob(job.id);
    assert.deepEqual([found?.status, found?.progress, found?.statusMessage, found?.lastSequence], ['Running', 70, 'Queued', 3]);
    const listed = await store.listJobs({ tag: 't' });
    assert.deepEqual(listed.map((j) => [j.progress, j.lastSequence]), [[70, 3]]);
    const done = await store.appendEvent({ ...job, status: 'Completed', progress: 100 }, 'completed', job.createdAt);
    assert.equal(done.sequence, 4);
    assert.deepEqual([(await store.getJob(job.id))?.status, (await store.getJob(job.id))?.progress], ['Completed', 100]);
  });

  it('reads a version 3 file, whose progress events hold the whole job, beside new deltas', async (t) => {
    const dir = tempDir();
    const path = join(dir.path, 'jobs.db');
    t.after(() => dir.cleanup());
    const first = new SqliteJobStore(path);
    const job = createJob('old-3', { type: 'Noop', ownerId: 'ann' }, '2025-01-01T00:00:00.000Z', { maxRetries: 0 });
    await first.insertJobs([job]);
    await first.appendEvent({ ...job, status: 'Running' }, 'started', job.createdAt);
    await first.close();
    // Back to the version 3 layout, with a progress event stored whole as version 3 did.
    const db = new Database(path);
    db.exec('DROP INDEX job_events_whole; ALTER TABLE job_events DROP COLUMN whole; PRAGMA user_version = 3;');
    const whole = { ...job, status: 'Running', progress: 25, lastSequence: 2 };
    db.prepare('INSERT INTO job_events (job_id, sequence, kind, at, data) VALUES (?, 2, ?, ?, ?)').run(job.id, 'progress', job.createdAt, JSON.stringify(whole));
    db.prepare('UPDATE jobs SET last_sequence = 2, data = ? WHERE id = ?').run(JSON.stringify(whole), job.id);
    db.close();

    const store = new SqliteJobStore(path);
    t.after(() => store.close());
    const next = await store.appendEvent({ ...job, status: 'Running', progress: 50 }, 'progress', job.createdAt);
    assert.equal(next.sequence, 3);
    assert.deepEqual((await store.listEvents(job.id, 0, 10)).map((e) => [e.sequence, e.job.status, e.job.progress]), [
      [1, 'Running', 0],
      [2, 'Running', 25],
      [3, 'Running', 50],
    ]);
    assert.deepEqual((await store.listEvents(job.id, 2, 10)).map((e) => e.job.progress), [50]);
    assert.equal((await store.getJob(job.id))?.progress, 50);
  });
});
