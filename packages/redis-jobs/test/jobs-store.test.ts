import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type Job, type JobFilter, type JobStatus, type JobStore, SqliteJobStore } from '@tidings/jobs';
import { Redis } from 'ioredis';
import { tempDir } from '../../jobs/test/support/harness.js';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { JobWriteRejectedError, RedisJobStore } from '../src/index.js';
import { eventFromFeedEntry } from '../src/redis-job-store.js';

let counter = 0;

function job(overrides: Partial<Job> = {}): Job {
  const n = ++counter;
  const at = new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString();
  return {
    id: `job-${n}`,
    type: 'Transcription',
    ownerId: 'alice',
    priority: 1,
    status: 'Pending',
    progress: 0,
    currentStage: null,
    statusMessage: 'Queued',
    error: null,
    stages: [],
    retryCount: 0,
    maxRetries: 0,
    attempt: 0,
    canRetry: false,
    createdAt: at,
    startedAt: null,
    finishedAt: null,
    updatedAt: at,
    estimatedCompletion: null,
    metadata: { n },
    input: null,
    result: null,
    checkpoint: null,
    subject: null,
    tags: [],
    idempotencyKey: null,
    outputStats: { items: 0, bytes: 0, truncated: false, dropped: 0 },
    parentId: null,
    dependsOn: null,
    steps: null,
    notBefore: null,
    lastSequence: 0,
    ...overrides,
  };
}

const ids = (jobs: readonly Job[]) => jobs.map((j) => j.id);

describe('RedisJobStore', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let store: RedisJobStore;
  let raw: Redis;
  const rejections: JobWriteRejectedError[] = [];

  before(async () => {
    redis = await startRedisServer();
    raw = new Redis(redis.url);
  });
  beforeEach(async () => {
    await raw.flushall();
    await store?.close();
    rejections.length = 0;
    store = new RedisJobStore({ redis: redis.url, prefix: 'test', historyLength: 10, onWriteRejected: (e) => rejections.push(e) });
    await store.ready();
  });
  after(async () => {
    await store?.close();
    raw?.disconnect();
    await redis?.stop();
  });

  it('lists like the SQLite store: every filter, newest first, limit and offset', async () => {
    const dir = tempDir();
    const sqlite = new SqliteJobStore(join(dir.path, 'jobs.db'));
    try {
      const parent = job({ type: 'VideoProcessing', subject: 'video-1', steps: [] });
      const jobs = [
        parent,
        job({ parentId: parent.id, subject: 'video-1', type: 'VideoIngestion' }),
        job({ parentId: parent.id, subject: 'video-1' }),
        job({ ownerId: 'bob', tags: ['red'] }),
        job({ ownerId: null, type: 'EmbeddingGeneration', tags: ['red', 'blue'] }),
        job({ ownerId: '' }),
        job({ subject: 'video-2', ownerId: 'bob', tags: ['blue'] }),
      ];
      const changes: [Job, JobStatus][] = [
        [jobs[1]!, 'Running'],
        [jobs[2]!, 'Completed'],
        [jobs[3]!, 'Failed'],
        [jobs[6]!, 'Running'],
      ];
      for (const s of [store, sqlite] as JobStore[]) {
        await s.insertJobs([jobs[0]!, jobs[1]!, jobs[2]!]);
        for (const j of jobs.slice(3)) await s.insertJobs([j]);
        for (const [j, status] of changes) await s.appendEvent({ ...j, status }, 'progress', j.updatedAt);
      }
      const filters: JobFilter[] = [
        {},
        { ownerId: 'alice' },
        { ownerId: 'bob' },
        { ownerId: '' },
        { status: ['Running'] },
        { status: ['Running', 'Completed', 'Failed'] },
        { status: ['Pending'], ownerId: 'alice' },
        { status: ['Running', 'Pending'], ownerId: 'bob', parentId: null },
        { type: 'Transcription' },
        { subject: 'video-1' },
        { subject: 'video-1', parentId: null, type: 'VideoProcessing', limit: 1 },
        { parentId: parent.id },
        { parentId: null },
        { limit: 2 },
        { limit: 3, offset: 2 },
        { offset: 5 },
        { limit: 0 },
        { ownerId: 'nobody' },
        { status: [] },
        { tag: 'red' },
        { tag: 'blue', ownerId: 'bob' },
        { tag: 'red', status: ['Failed', 'Pending'] },
        { tag: 'blue', type: 'EmbeddingGeneration', limit: 1 },
        { tag: 'none' },
      ];
      for (const filter of filters) {
        assert.deepEqual(ids(await store.listJobs(filter)), ids(await sqlite.listJobs(filter)), JSON.stringify(filter));
      }
      const listed = await store.listJobs({ status: ['Running'] });
      assert.deepEqual(
        listed.map((j) => [j.status, j.lastSequence]),
        [
          ['Running', 1],
          ['Running', 1],
        ],
      );
      assert.equal((await raw.keys('test:jobs:tmp:*')).length, 0, 'no scratch keys left behind');
    } finally {
      await sqlite.close();
      dir.cleanup();
    }
  });

  it('inserts one job per owner and idempotency key, also when two processes insert at once', async () => {
    const other = new RedisJobStore({ redis: redis.url, prefix: 'test' });
    try {
      const attempts = Array.from({ length: 10 }, (_, i) => job({ ownerId: 'ann', idempotencyKey: 'order-1', metadata: { i } }));
      const results = await Promise.all(attempts.map((j, i) => (i % 2 ? other : store).insertJob(j)));
      const inserted = attempts.filter((_, i) => results[i] === undefined);
      assert.equal(inserted.length, 1, 'exactly one insert');
      for (const r of results) if (r) assert.equal(r.id, inserted[0]!.id, 'the others get the inserted job');
      assert.equal((await store.listJobs({ ownerId: 'ann' })).length, 1);
      assert.equal(await store.insertJob(job({ ownerId: 'bob', idempotencyKey: 'order-1' })), undefined, 'another owner: a new job');
      assert.equal(await store.insertJob(job({ ownerId: null, idempotencyKey: 'order-1' })), undefined);
      assert.equal((await store.insertJob(job({ ownerId: null, idempotencyKey: 'order-1' })))?.ownerId, null, 'no owner is one owner');
    } finally {
      await other.close();
    }
  });

  it('stores output items with their events, in the history and the feed', async () => {
    const j = job();
    await store.insertJobs([j]);
    await store.appendEvent(j, 'created', j.createdAt);
    const written = await store.appendEvent(j, 'output', j.createdAt, { stream: 'log', data: 'hello' });
    assert.deepEqual(written.output, { stream: 'log', data: 'hello' });
    await store.appendEvent(j, 'progress', j.createdAt);
    const history = await store.listEvents(j.id, 0, 10);
    assert.deepEqual(history.map((e) => [e.sequence, e.kind, e.output]), [
      [1, 'created', undefined],
      [2, 'output', { stream: 'log', data: 'hello' }],
      [3, 'progress', undefined],
    ]);
    assert.equal('output' in history[0]!, false, 'no output field on other events');
    assert.deepEqual((await store.eventAt(j.id, 2))?.output, { stream: 'log', data: 'hello' });
    const feed = (await raw.xrange(store.keys.feed, '-', '+')) as [string, string[]][];
    assert.deepEqual(eventFromFeedEntry(feed[1]![1])?.output, { stream: 'log', data: 'hello' });
  });

  it('gives sequences 1..n with no gap even when two processes append to one job at once', async () => {
    const other = new RedisJobStore({ redis: redis.url, prefix: 'test', historyLength: 1000 });
    try {
      const j = job();
      await store.insertJobs([j]);
      const writes = [];
      for (let i = 0; i < 100; i++) {
        const writer = i % 2 === 0 ? store : other;
        writes.push(writer.appendEvent({ ...j, progress: i }, 'progress', j.updatedAt));
      }
      const events = await Promise.all(writes);
      assert.deepEqual(
        events.map((e) => e.sequence).sort((a, b) => a - b),
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
      assert.equal((await other.getJob(j.id))!.lastSequence, 100);
      const history = await other.listEvents(j.id, 95, 100);
      assert.deepEqual(
        history.map((e) => [e.sequence, e.job.lastSequence]),
        [96, 97, 98, 99, 100].map((s) => [s, s]),
      );
      // The feed has every event, each job's in sequence order.
      const feed = (await raw.xrange('test:jobs:feed', '-', '+')) as [string, string[]][];
      assert.deepEqual(
        feed.map(([, f]) => Number(f[f.indexOf('s') + 1])),
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
      assert.equal((await store.feedPosition(j.id))!.feedId, feed.at(-1)![0]);
    } finally {
      await other.close();
    }
  });

  it('trims a job history to about historyLength, keeping the newest events', async () => {
    const j = job();
    await store.insertJobs([j]);
    for (let i = 0; i < 400; i++) await store.appendEvent(j, 'progress', j.updatedAt);
    const kept = await store.listEvents(j.id, 0, 1000);
    assert.ok(kept.length < 250, `trimmed to ${kept.length}`);
    assert.equal(kept.at(-1)!.sequence, 400);
    assert.deepEqual(
      kept.map((e) => e.sequence),
      kept.map((_, i) => 400 - kept.length + 1 + i),
    );
    assert.equal((await store.eventAt(j.id, 400))!.sequence, 400);
    assert.equal(await store.eventAt(j.id, 1), undefined);
  });

  it('fences writes: a superseded attempt and a settled job cannot be overwritten', async () => {
    const j = job();
    await store.insertJobs([j]);
    const running = { ...j, status: 'Running' as const, attempt: 2 };
    await store.appendEvent(running, 'started', j.updatedAt);

    // The first attempt, taken over meanwhile, reports late: refused, nothing stored.
    await assert.rejects(store.appendEvent({ ...running, attempt: 1, progress: 50 }, 'progress', j.updatedAt), (e: unknown) => {
      assert.ok(e instanceof JobWriteRejectedError);
      assert.equal(e.reason, 'stale');
      return true;
    });
    await assert.rejects(store.saveJob({ ...running, attempt: 1, checkpoint: { old: true } }), JobWriteRejectedError);

    // Cancelled from another node: the attempt's later progress and its own outcome are refused.
    await store.appendEvent({ ...running, status: 'Cancelled' }, 'cancelled', j.updatedAt);
    await assert.rejects(store.appendEvent({ ...running, progress: 60 }, 'progress', j.updatedAt), /already Cancelled/);
    await assert.rejects(store.appendEvent({ ...running, status: 'Completed' }, 'completed', j.updatedAt), /already Cancelled/);
    await assert.rejects(store.saveJob({ ...running, checkpoint: { late: true } }), /already Cancelled/);
    assert.deepEqual(
      rejections.map((r) => r.reason),
      ['stale', 'stale', 'settled', 'settled', 'settled'],
    );

    const stored = (await store.getJob(j.id))!;
    assert.equal(stored.status, 'Cancelled');
    assert.equal(stored.checkpoint, null);
    assert.equal(stored.lastSequence, 2);
    assert.deepEqual((await store.listJobs({ status: ['Running'] })).length, 0);

    // A retry is the one way out of a settled state.
    const retried = await store.appendEvent({ ...stored, status: 'Pending', retryCount: 1, attempt: 0 }, 'retried', j.updatedAt);
    assert.equal(retried.sequence, 3);
    assert.deepEqual(ids(await store.listJobs({ status: ['Pending'] })), [j.id]);
  });

  it('saves state without an event, refuses unknown jobs and duplicates clearly', async () => {
    const j = job();
    await store.insertJobs([j]);
    await store.appendEvent(j, 'created', j.updatedAt);
    await store.saveJob({ ...j, checkpoint: { next: 3 }, lastSequence: 0 });
    const saved = (await store.getJob(j.id))!;
    assert.deepEqual(saved.checkpoint, { next: 3 });
    assert.equal(saved.lastSequence, 1, 'a save never moves the sequence');
    await assert.rejects(store.saveJob(job()), /not in the store/);
    await assert.rejects(store.appendEvent(job(), 'progress', j.updatedAt), /not in the store/);
    await assert.rejects(store.insertJobs([job(), j]), new RegExp(`'${j.id}': it is already in the store`));
    assert.equal(await store.getJob('missing'), undefined);
    assert.deepEqual(await store.listEvents('missing', 0, 10), []);
    assert.equal(await store.feedPosition('missing'), undefined);
  });
});
