import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tidings/hub';
import { type JobEvent, JobTimeoutError } from '@tidings/jobs';
import { waitFor } from '../../hub/test/support/wait.js';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { until } from '../../../test-support/until.js';
import { type ClusterJobEngine, RedisJobCluster } from '../src/index.js';

/** A user's own job types on Redis and BullMQ: per-type options, output, metadata, tags, idempotency, delays. */
describe('scaled jobs: own job types on the BullMQ worker', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let cluster: RedisJobCluster;
  let api: ClusterJobEngine;
  const releases: (() => void)[] = [];
  const running = { Exclusive: 0, Other: 0 };
  let peakExclusive = 0;
  const timeoutReasons: unknown[] = [];
  const delivered: JobEvent[] = [];
  let second: ClusterJobEngine;

  before(async () => {
    redis = await startRedisServer();
    cluster = new RedisJobCluster({ redis: redis.url, prefix: 'type-options', logger: silentLogger });
    for (const type of ['Exclusive', 'Other'] as const) {
      cluster.define(
        type,
        async () => {
          running[type]++;
          peakExclusive = Math.max(peakExclusive, running.Exclusive);
          await new Promise<void>((resolve) => releases.push(resolve));
          running[type]--;
        },
        { concurrency: type === 'Exclusive' ? 1 : undefined },
      );
    }
    cluster.define(
      'Stuck',
      async (_job, ctx) => {
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
        timeoutReasons.push(ctx.signal.reason);
      },
      { timeoutMs: 200 },
    );
    cluster.define('Chatty', async (_job, ctx) => {
      await ctx.stage('Talking', 10);
      await ctx.metadata({ lines: 2 });
      await ctx.output('line 1');
      await ctx.output({ row: 2 }, { stream: 'rows' });
      for (let i = 3; i <= 5; i++) await ctx.output(`line ${i}`);
    }, { outputLimits: { maxItems: 3 } });
    api = cluster.engine({ throttleIntervalMs: 10 });
    api.addSink({ deliver: (event) => void delivered.push(event) });
    second = cluster.engine({ throttleIntervalMs: 10 });
    await api.start();
    await second.start();
    await cluster.worker({ concurrency: 3, engine: { throttleIntervalMs: 10 } }).start();
  });
  after(async () => {
    await cluster?.close();
    await redis?.stop();
  });

  it('runs one job of a type limited to 1 at a time; the other slots take other types', async () => {
    const first = await api.enqueue({ type: 'Exclusive' });
    const second = await api.enqueue({ type: 'Exclusive' });
    const other = await api.enqueue({ type: 'Other' });
    await waitFor(() => running.Exclusive === 1 && running.Other === 1, 10_000, 'one Exclusive and the Other running');
    const states = await Promise.all([first, second].map(async (j) => (await api.get(j.id))!.status));
    assert.deepEqual(states.sort(), ['Pending', 'Running'], 'the second Exclusive waits for its slot');
    // Release whatever runs until all three are done; only one Exclusive may ever run at once.
    const done = async () => (await Promise.all([first, second, other].map(async (j) => (await api.get(j.id))!.status))).every((s) => s === 'Completed');
    while (!(await done())) {
      releases.shift()?.();
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(peakExclusive, 1);
  });

  it('carries output from the worker through the feed in the job’s sequence, bounded, replayable; metadata with the next update', async () => {
    const job = await api.enqueue({ type: 'Chatty', tags: ['chat'] });
    await waitFor(() => delivered.some((e) => e.jobId === job.id && e.kind === 'completed'), 10_000, 'completion on the API node');
    const events = delivered.filter((e) => e.jobId === job.id);
    assert.deepEqual(events.map((e) => e.sequence), events.map((_, i) => i + 1));
    assert.deepEqual(
      events.filter((e) => e.kind.startsWith('output')).map((e) => [e.kind, e.output?.stream]),
      [['output', 'log'], ['output', 'rows'], ['output', 'log'], ['outputTruncated', 'tidings']],
    );
    assert.deepEqual((await api.events(job.id)).map((e) => [e.sequence, e.kind, e.output]), events.map((e) => [e.sequence, e.kind, e.output]));
    const done = (await api.get(job.id))!;
    assert.deepEqual(done.metadata, { lines: 2 });
    assert.deepEqual(done.outputStats, { items: 3, bytes: 8 + 9 + 8, truncated: true, dropped: 2 });
    assert.deepEqual((await api.list({ tag: 'chat' })).map((j) => j.id), [job.id]);
  });

  it('creates one job for one idempotency key submitted on two API nodes at once', async () => {
    const submissions = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? second : api).submit({ type: 'Other', ownerId: 'dana', idempotencyKey: 'k-1' })),
    );
    assert.equal(new Set(submissions.map((s) => s.job.id)).size, 1);
    assert.equal(submissions.filter((s) => !s.existing).length, 1);
    await waitFor(() => releases.length > 0, 10_000, 'the job to run');
    releases.shift()!();
  });

  it('queues a delayed job on BullMQ with its delay', async () => {
    const job = await api.enqueue({ type: 'Other', delayMs: 60_000 });
    const bull = await cluster.queue.queue.getJob(job.id);
    assert.ok(bull, 'on the queue');
    assert.equal(await bull.getState(), 'delayed');
    // The delay left when it was queued (the job's notBefore less the moments since it was created).
    assert.ok(bull.opts.delay! > 30_000 && bull.opts.delay! <= 60_000, `delay ${bull.opts.delay}`);
    await api.cancel(job.id);
  });

  it('fails an attempt past its timeoutMs: its signal aborts with a JobTimeoutError', async () => {
    const job = await api.enqueue({ type: 'Stuck' });
    const failed = await until(() => api.get(job.id), (j) => j?.status === 'Failed', 'the timed-out job to fail');
    assert.ok(timeoutReasons[0] instanceof JobTimeoutError);
    assert.match(failed!.error!, /timed out after 200 ms/);
  });
});
