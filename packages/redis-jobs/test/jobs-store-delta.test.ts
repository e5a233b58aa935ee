import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tidings/hub';
import type { Job, JobEvent } from '@tidings/jobs';
import { Redis } from 'ioredis';
import { createJob } from '../../jobs/src/engine/job-state.js';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { until } from '../../../test-support/until.js';
import { JobEventFeed, RedisJobStore } from '../src/index.js';

const now = '2025-01-01T00:00:00.000Z';
let counter = 0;

function running(): Job {
  return { ...createJob(`delta-${++counter}`, { type: 'T', ownerId: 'alice', input: { big: 'x'.repeat(2000) } }, now, { maxRetries: 0 }), status: 'Running', attempt: 1 };
}

/** Stored history entries: field → value. */
async function entries(raw: Redis, key: string): Promise<Record<string, string>[]> {
  const flat = (await raw.xrange(key, '-', '+')) as [string, string[]][];
  return flat.map(([, f]) => Object.fromEntries(Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i], f[2 * i + 1]])));
}

/** Appends `kind` with the job as it is now and keeps its sequence. */
async function append(store: RedisJobStore, j: Job, kind: JobEvent['kind'], output?: JobEvent['output']): Promise<JobEvent> {
  const event = await store.appendEvent({ ...j }, kind, now, output);
  j.lastSequence = event.sequence;
  return event;
}

/** Progress ticks `from`…10 (ten points each). */
async function ticks(store: RedisJobStore, j: Job, from: number): Promise<JobEvent[]> {
  const written: JobEvent[] = [];
  for (let p = from; p <= 10; p++) {
    j.progress = p * 10;
    j.statusMessage = `step ${p}`;
    written.push(await append(store, j, 'progress'));
  }
  return written;
}

/** The rest of a job's life after its ticks: a stage, an output item, completed. */
async function finish(store: RedisJobStore, j: Job): Promise<JobEvent[]> {
  j.currentStage = 'encode';
  const stage = await append(store, j, 'stage');
  j.outputStats = { items: 1, bytes: 5, truncated: false, dropped: 0 };
  const output = await append(store, j, 'output', { stream: 'log', data: 'hello' });
  j.status = 'Completed';
  return [stage, output, await append(store, j, 'completed')];
}

/** A job's life: started (whole), ten progress ticks, a stage, an output item, completed (whole). */
async function life(store: RedisJobStore, j: Job): Promise<JobEvent[]> {
  const started = await append(store, j, 'started');
  return [started, ...(await ticks(store, j, 1)), ...(await finish(store, j))];
}

// One redis-server for both suites; each has its own prefix.
let redis: RedisServer;
before(async () => {
  if (!redisSkipReason) redis = await startRedisServer();
});
after(() => redis?.stop());

describe('RedisJobStore: progress, stage and output events stored as deltas', { skip: redisSkipReason }, () => {
  let raw: Redis;
  let store: RedisJobStore;
  before(() => {
    [raw, store] = [new Redis(redis.url), new RedisJobStore({ redis: redis.url, prefix: 'delta', logger: silentLogger })];
  });
  after(async () => {
    raw.disconnect();
    await store.close();
  });

  it('keeps a progress tick as what changed, and reads it back as the whole job', async () => {
    const j = running();
    await store.insertJobs([j]);
    await store.appendEvent({ ...j }, 'started', now);
    j.progress = 40;
    j.statusMessage = 'halfway';
    const tick = await store.appendEvent({ ...j }, 'progress', now);

    const [whole, delta] = await entries(raw, store.keys.events(j.id));
    assert.equal(whole!.b, undefined, 'the first event of a job is stored whole');
    assert.match(whole!.d!, /"big"/);
    assert.equal(delta!.b, '1', 'the delta names the whole entry it applies to');
    assert.doesNotMatch(delta!.d!, /"big"|"input"/, 'a delta holds no input');
    const feed = await entries(raw, store.keys.feed);
    assert.doesNotMatch(feed.at(-1)!.d!, /"input"/, 'nor does its feed entry');
    assert.doesNotMatch((await raw.hget(store.keys.job(j.id), 'data'))!, /halfway/, "the job's data is not rewritten for it");

    const read = (await store.getJob(j.id))!;
    assert.deepEqual(read, tick.job, 'the job as read is the job the event carried');
    assert.deepEqual((await store.listJobs({ ownerId: 'alice' })).find((x) => x.id === j.id), tick.job);
    assert.deepEqual((await store.eventAt(j.id, 2))?.job, tick.job);
  });

  it("rebuilds every event's job of the history, from any page", async () => {
    const j = running();
    await store.insertJobs([j]);
    const written = await life(store, j);
    assert.deepEqual(await store.listEvents(j.id, 0, 100), written);
    assert.deepEqual(await store.listEvents(j.id, 5, 3), written.slice(5, 8), 'a page starting after the whole event');
    assert.equal((await store.getJob(j.id))!.status, 'Completed');
  });

  it('stores the first event after a save whole, so the history carries the checkpoint', async () => {
    const j = running();
    await store.insertJobs([j]);
    await store.appendEvent({ ...j }, 'started', now);
    j.checkpoint = { done: 3 };
    await store.saveJob({ ...j });
    j.progress = 50;
    const after = await store.appendEvent({ ...j }, 'progress', now);
    const history = await entries(raw, store.keys.events(j.id));
    assert.equal(history.at(-1)!.b, undefined, 'stored whole');
    assert.deepEqual((await store.listEvents(j.id, 1, 1))[0]!.job.checkpoint, { done: 3 });
    assert.deepEqual(await store.getJob(j.id), after.job);
  });

  it("falls back to the job's stored state when the history was trimmed past a delta's base", async () => {
    const short = new RedisJobStore({ redis: redis.url, prefix: 'delta-short', historyLength: 1, logger: silentLogger });
    try {
      const j = running();
      await short.insertJobs([j]);
      await short.appendEvent({ ...j }, 'started', now);
      for (let p = 1; p <= 300; p++) {
        j.progress = p / 3;
        await short.appendEvent({ ...j }, 'progress', now);
      }
      const history = await short.listEvents(j.id, 0, 1000);
      assert.ok(history.length < 301 && history[0]!.sequence > 1, 'trimmed');
      for (const event of history) {
        assert.equal(event.job.lastSequence, event.sequence);
        assert.equal(event.job.progress, (event.sequence - 1) / 3);
        assert.deepEqual(event.job.input, j.input, 'the base still gives the rest of the job');
      }
    } finally {
      await short.close();
    }
  });
});

describe('JobEventFeed: delta events', { skip: redisSkipReason }, () => {
  let store: RedisJobStore;
  before(() => {
    store = new RedisJobStore({ redis: redis.url, prefix: 'delta-feed', logger: silentLogger });
  });
  after(() => store.close());

  async function tail(): Promise<{ feed: JobEventFeed; seen: JobEvent[] }> {
    const feed = new JobEventFeed({ redis: redis.url, store, logger: silentLogger, blockMs: 100 });
    const seen: JobEvent[] = [];
    feed.addSink({ deliver: (event) => void seen.push(event) });
    await feed.start();
    return { feed, seen };
  }

  it('delivers whole jobs, equal to the history', async () => {
    const { feed, seen } = await tail();
    try {
      const j = running();
      await store.insertJobs([j]);
      const written = await life(store, j);
      await until(async () => seen.length, (n) => n === written.length, 'every event delivered');
      assert.deepEqual(seen, await store.listEvents(j.id, 0, 100));
      assert.deepEqual(seen, written);
    } finally {
      await feed.stop();
    }
  });

  it('rebuilds the jobs of a job whose whole events it never read (a node started mid-job)', async () => {
    const j = running();
    await store.insertJobs([j]);
    await append(store, j, 'started');
    await ticks(store, j, 10);
    const { feed, seen } = await tail();
    try {
      const later = [...(await ticks(store, j, 1)), ...(await finish(store, j))];
      await until(async () => seen.length, (n) => n === later.length, 'every later event delivered');
      assert.deepEqual(seen, later);
    } finally {
      await feed.stop();
    }
  });
});
