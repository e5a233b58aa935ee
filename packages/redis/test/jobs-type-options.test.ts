import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@tidings/hub';
import { JobTimeoutError } from '@tidings/jobs';
import { waitFor } from '../../hub/test/support/wait.js';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { until } from '../../../test-support/until.js';
import { type ClusterJobEngine, RedisJobCluster } from '../src/jobs/index.js';

/** A job type's `concurrency` and `timeoutMs`, honoured by the BullMQ worker. */
describe('scaled jobs: per-type options on the BullMQ worker', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let cluster: RedisJobCluster;
  let api: ClusterJobEngine;
  const releases: (() => void)[] = [];
  const running = { Exclusive: 0, Other: 0 };
  let peakExclusive = 0;
  const timeoutReasons: unknown[] = [];

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
    api = cluster.engine({ throttleIntervalMs: 10 });
    await api.start();
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

  it('fails an attempt past its timeoutMs: its signal aborts with a JobTimeoutError', async () => {
    const job = await api.enqueue({ type: 'Stuck' });
    const failed = await until(() => api.get(job.id), (j) => j?.status === 'Failed', 'the timed-out job to fail');
    assert.ok(timeoutReasons[0] instanceof JobTimeoutError);
    assert.match(failed!.error!, /timed out after 200 ms/);
  });
});
