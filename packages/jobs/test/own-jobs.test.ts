import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Type } from '@sinclair/typebox';
import { ManualClock, SqliteJobStore, defineJobType } from '../src/index.js';
import { startNodeScript } from '../../../test-support/processes.js';
import { Gate, harness, tempDir, waitFor } from './support/harness.js';

/** What a user's own job types need besides input: tags, idempotency, delays, metadata and output. */
describe('own jobs: tags, idempotency keys, delays, metadata, output', () => {
  const dir = tempDir();
  after(() => dir.cleanup());
  let files = 0;
  const fresh = (options: Parameters<typeof harness>[1] = {}) => {
    const sub = join(dir.path, `db-${++files}`);
    return harness(sub, options);
  };

  const noop = defineJobType({ name: 'Noop', input: Type.Any(), process: async () => undefined });

  it('keeps tags on a job (limits checked, nothing created past them) and lists by type, tag, status and owner', async (t) => {
    const h = fresh();
    t.after(() => h.close());
    h.engine.register(noop).define('Other', async () => undefined);
    const a = await h.engine.enqueue({ type: 'Noop', ownerId: 'ann', tags: ['batch-7', 'nightly', 'nightly'] });
    const b = await h.engine.enqueue({ type: 'Other', ownerId: 'ann', tags: ['batch-7'] });
    const c = await h.engine.enqueue({ type: 'Noop', ownerId: 'bob', tags: ['batch-8'] });
    assert.deepEqual(a.tags, ['batch-7', 'nightly'], 'a tag given twice counts once');

    await assert.rejects(h.engine.enqueue({ type: 'Noop', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }), /at most 10 tags/);
    await assert.rejects(h.engine.enqueue({ type: 'Noop', tags: ['x'.repeat(129)] }), /1–128 characters/);
    await assert.rejects(h.engine.enqueue({ type: 'Noop', tags: [''] }), /1–128 characters/);
    assert.equal((await h.engine.list()).length, 3, 'refused submissions created nothing');

    const ids = async (filter: Parameters<typeof h.engine.list>[0]) => (await h.engine.list(filter)).map((j) => j.id);
    assert.deepEqual(await ids({ tag: 'batch-7' }), [b.id, a.id], 'newest first');
    assert.deepEqual(await ids({ tag: 'batch-7', type: 'Noop' }), [a.id]);
    assert.deepEqual(await ids({ tag: 'nightly', ownerId: 'bob' }), []);
    assert.deepEqual(await ids({ type: 'Noop' }), [c.id, a.id]);
    assert.deepEqual(await ids({ ownerId: 'ann', status: ['Pending'] }), [b.id, a.id], 'not started: the engine is not running');
    assert.deepEqual(await ids({ tag: 'batch-7', limit: 1, offset: 1 }), [a.id]);
    assert.deepEqual((await h.engine.get(a.id))!.tags, ['batch-7', 'nightly']);
  });

  it('returns the existing job for an idempotency key its owner used before, also for concurrent submits', async (t) => {
    const h = fresh();
    t.after(() => h.close());
    h.engine.register(noop);
    const first = await h.engine.submit({ type: 'Noop', ownerId: 'ann', idempotencyKey: 'order-17', input: { n: 1 } });
    assert.equal(first.existing, false);
    const again = await h.engine.submit({ type: 'Noop', ownerId: 'ann', idempotencyKey: 'order-17', input: { n: 2 } });
    assert.equal(again.existing, true);
    assert.equal(again.job.id, first.job.id);
    assert.deepEqual(again.job.input, { n: 1 }, 'the first submission’s job, untouched');
    const otherOwner = await h.engine.submit({ type: 'Noop', ownerId: 'bob', idempotencyKey: 'order-17' });
    assert.equal(otherOwner.existing, false, 'keys are per owner');
    const anonymous = await h.engine.submit({ type: 'Noop', idempotencyKey: 'order-17' });
    assert.equal(anonymous.existing, false);
    assert.equal((await h.engine.submit({ type: 'Noop', idempotencyKey: 'order-17' })).job.id, anonymous.job.id, 'no owner is an owner too');

    const racing = await Promise.all(Array.from({ length: 8 }, () => h.engine.submit({ type: 'Noop', ownerId: 'cy', idempotencyKey: 'race' })));
    assert.equal(new Set(racing.map((r) => r.job.id)).size, 1, 'one job for eight concurrent submits');
    assert.equal(racing.filter((r) => !r.existing).length, 1);
    assert.equal((await h.engine.list({ ownerId: 'cy' })).length, 1);
    assert.equal(h.events.filter((e) => e.kind === 'created' && e.job.ownerId === 'cy').length, 1, 'one created event');
    await assert.rejects(h.engine.submit({ type: 'Noop', idempotencyKey: '' }), /idempotencyKey must be a string of 1–256/);
  });

  it('makes one job per key when processes sharing the SQLite file insert the same keys at once', async () => {
    const path = join(dir.path, 'shared', 'jobs.db');
    await new SqliteJobStore(path).close(); // the schema, before the racers open it
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const script = fileURLToPath(new URL('./fixtures/idempotent-insert-process.ts', import.meta.url));
    const racers = await Promise.all([1, 2, 3, 4].map(() => startNodeScript<{ pid: number }>(script, [path, keys.join(',')])));
    for (const racer of racers) racer.child.kill('SIGUSR2');
    await Promise.all(racers.map((r) => r.exited));
    for (const r of racers) assert.ok(r.output().includes('['), r.output());
    const results = racers.flatMap((r) => JSON.parse(r.output().split('\n').find((line) => line.startsWith('['))!) as { key: string; id: string; existing: string | null }[]);
    const store = new SqliteJobStore(path);
    try {
      for (const key of keys) {
        const tries = results.filter((r) => r.key === key);
        const inserted = tries.filter((r) => r.existing === null);
        assert.equal(inserted.length, 1, `one process inserted ${key}`);
        for (const r of tries) if (r.existing !== null) assert.equal(r.existing, inserted[0]!.id, `the others found it (${key})`);
      }
      assert.equal((await store.listJobs({ ownerId: 'ann' })).length, keys.length);
    } finally {
      await store.close();
    }
  });

  it('does not run a job before its delayMs', async (t) => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const h = fresh({ clock });
    t.after(() => h.close());
    h.engine.register(noop);
    await h.engine.start();
    const job = await h.engine.enqueue({ type: 'Noop', delayMs: 60_000 });
    assert.equal(job.notBefore, '2026-01-01T00:01:00.000Z');
    clock.advance(59_999);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await h.engine.get(job.id))!.status, 'Pending', 'still waiting');
    clock.advance(1);
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'completed'), 5000, 'the delayed job to run');
    await assert.rejects(h.engine.enqueue({ type: 'Noop', delayMs: -1 }), /delayMs must be a non-negative integer/);
  });

  it('patches metadata shallowly and delivers it with the next update, at the latest when the throttle interval is up', async (t) => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const h = fresh({ clock, throttleIntervalMs: 1000 });
    t.after(() => h.close());
    const gate = new Gate();
    h.engine.register(
      defineJobType({
        name: 'Meta',
        input: Type.Null(),
        async process(_job, ctx) {
          await ctx.stage('Working', 10);
          await ctx.metadata({ rows: 10, phase: 'read' });
          await gate.wait();
          await ctx.metadata({ phase: 'write' });
          await ctx.progress(50);
          await assert.rejects(ctx.metadata(['not', 'an', 'object'] as never), /must be an object/);
        },
      }),
    );
    await h.engine.start();
    const job = await h.engine.enqueue({ type: 'Meta', input: null, metadata: { source: 'test' } });
    await waitFor(() => gate.waiting === 1, 5000, 'the first patch');
    const afterStage = h.eventsOf(job.id).length;
    assert.equal(h.eventsOf(job.id).at(-1)!.kind, 'stage', 'a patch is no event of its own');
    clock.advance(1000);
    await waitFor(() => h.eventsOf(job.id).length === afterStage + 1, 5000, 'the held-back update');
    assert.deepEqual(h.eventsOf(job.id).at(-1)!.job.metadata, { source: 'test', rows: 10, phase: 'read' });
    gate.release();
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'completed'), 5000, 'completion');
    const progress = h.eventsOf(job.id).find((e) => e.kind === 'progress' && e.job.progress === 50)!;
    assert.deepEqual(progress.job.metadata, { source: 'test', rows: 10, phase: 'write' }, 'shallow: rows stays, phase replaced');
  });

  it('stores output as events in the job’s sequence, replays them after any sequence, and bounds them with one marker', async (t) => {
    const h = fresh({ outputLimits: { maxItems: 3 } });
    t.after(() => h.close());
    h.engine.register(
      defineJobType({
        name: 'Chatty',
        input: Type.Null(),
        async process(_job, ctx) {
          await ctx.stage('Talking', 10);
          await ctx.output('line 1');
          await ctx.output({ partial: [1, 2] }, { stream: 'rows' });
          await ctx.stage('Still talking', 50);
          await ctx.output('line 2');
          for (let i = 3; i <= 6; i++) await ctx.output(`line ${i}`);
          await assert.rejects(ctx.output(undefined as never), /must be a JSON value/);
        },
      }),
    );
    await h.engine.start();
    const job = await h.engine.enqueue({ type: 'Chatty', input: null });
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'completed'), 5000, 'completion');
    const delivered = h.eventsOf(job.id);
    assert.deepEqual(delivered.map((e) => e.sequence), delivered.map((_, i) => i + 1), 'output shares the job’s sequence, no gap');
    assert.deepEqual(
      delivered.map((e) => (e.output ? `${e.kind}:${e.output.stream}:${JSON.stringify(e.output.data)}` : e.kind)),
      ['created', 'started', 'stage', 'output:log:"line 1"', 'output:rows:{"partial":[1,2]}', 'stage', 'output:log:"line 2"', `outputTruncated:tidings:${JSON.stringify(delivered[7]!.output!.data)}`, 'completed'],
    );
    assert.match(String(delivered[7]!.output!.data), /Output truncated: .*limited to 3 items/);
    assert.deepEqual(await h.engine.events(job.id), delivered, 'stored exactly as delivered');
    assert.deepEqual((await h.engine.events(job.id, 4)).map((e) => e.sequence), [5, 6, 7, 8, 9], 'a late subscriber replays output too');
    const done = (await h.engine.get(job.id))!;
    assert.deepEqual(done.outputStats, { items: 3, bytes: 8 + 17 + 8, truncated: true, dropped: 4 });
  });

  it('opens a file written before tags and output existed, and lists its jobs', async () => {
    const path = join(dir.path, 'v1', 'jobs.db');
    // The version 1 layout, as @tidings/jobs wrote it before this change.
    mkdirSync(join(dir.path, 'v1'), { recursive: true });
    const db = new Database(path);
    db.exec(`CREATE TABLE jobs (id TEXT PRIMARY KEY, type TEXT NOT NULL, owner_id TEXT, status TEXT NOT NULL, parent_id TEXT, subject TEXT,
      created_at TEXT NOT NULL, last_sequence INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL);
      CREATE TABLE job_events (job_id TEXT NOT NULL, sequence INTEGER NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL, data TEXT NOT NULL,
      PRIMARY KEY (job_id, sequence)) WITHOUT ROWID;
      PRAGMA user_version = 1;`);
    const old = { id: 'old-1', type: 'Noop', ownerId: 'ann', status: 'Completed', createdAt: '2025-01-01T00:00:00.000Z', lastSequence: 1 };
    db.prepare('INSERT INTO jobs VALUES (?, ?, ?, ?, NULL, NULL, ?, 1, ?)').run(old.id, old.type, old.ownerId, old.status, old.createdAt, JSON.stringify(old));
    db.prepare('INSERT INTO job_events VALUES (?, 1, ?, ?, ?)').run(old.id, 'completed', old.createdAt, JSON.stringify(old));
    db.close();
    const store = new SqliteJobStore(path);
    try {
      const job = (await store.getJob('old-1'))!;
      assert.deepEqual([job.tags, job.idempotencyKey, job.outputStats], [[], null, { items: 0, bytes: 0, truncated: false, dropped: 0 }]);
      assert.deepEqual((await store.listJobs({ tag: 'x' })).length, 0);
      assert.equal((await store.listEvents('old-1', 0, 10))[0]!.output, undefined);
    } finally {
      await store.close();
    }
  });
});
