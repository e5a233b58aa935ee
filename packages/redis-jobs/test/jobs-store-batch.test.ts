import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Job } from '@tidings/jobs';
import { Redis } from 'ioredis';
import { createJob } from '../../jobs/src/engine/job-state.js';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { JobWriteRejectedError, RedisJobStore } from '../src/index.js';

/** Calls of the append script Redis has run so far (EVALSHA, or EVAL when the script was not cached yet). */
async function scriptCalls(raw: Redis): Promise<number> {
  const stats = await raw.info('commandstats');
  let calls = 0;
  for (const match of stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)) calls += Number(match[1]);
  return calls;
}

describe('RedisJobStore: a turn\'s events in one script call', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let raw: Redis;
  let store: RedisJobStore;

  before(async () => {
    redis = await startRedisServer();
    raw = new Redis(redis.url);
    store = new RedisJobStore({ redis: redis.url, prefix: 'batch' });
    await store.ready();
  });
  after(async () => {
    await store?.close();
    raw?.disconnect();
    await redis?.stop();
  });

  it('writes the events appended in one turn with one call, each sequenced, fenced and refused on its own', async () => {
    const now = new Date().toISOString();
    const make = (id: string): Job => ({ ...createJob(id, { type: 'T' }, now, { maxRetries: 0 }), status: 'Running', attempt: 1 });
    const [a, b, settled] = [make('a'), make('b'), make('settled')];
    await store.insertJobs([a, b, settled]);
    await store.appendEvent({ ...settled, status: 'Completed' }, 'completed', now);
    const before = await scriptCalls(raw);

    const results = await Promise.allSettled([
      store.appendEvent({ ...a, progress: 10 }, 'progress', now),
      store.appendEvent({ ...b, progress: 10 }, 'progress', now),
      store.appendEvent({ ...a, progress: 20 }, 'progress', now),
      store.appendEvent({ ...settled, progress: 50 }, 'progress', now),
      store.appendEvent(make('missing'), 'progress', now),
      store.appendEvent({ ...b, status: 'Completed', progress: 100 }, 'completed', now),
    ]);

    assert.equal((await scriptCalls(raw)) - before, 1, 'one script call for the turn');
    const value = (i: number) => (results[i]!.status === 'fulfilled' ? results[i].value : undefined);
    assert.deepEqual([value(0)?.sequence, value(2)?.sequence], [1, 2], "job a's events in the order appended");
    assert.deepEqual([value(1)?.sequence, value(5)?.sequence], [1, 2]);
    assert.equal(value(2)?.job.progress, 20);
    const fenced = results[3]!;
    assert.ok(fenced.status === 'rejected' && fenced.reason instanceof JobWriteRejectedError && fenced.reason.reason === 'settled', 'a settled job refuses the write');
    const missing = results[4]!;
    assert.ok(missing.status === 'rejected' && /not in the store/.test(String(missing.reason)), 'an unknown job is refused on its own');
    assert.deepEqual((await store.listEvents('a', 0, 10)).map((e) => [e.sequence, e.job.progress]), [[1, 10], [2, 20]]);
    assert.equal((await store.getJob('b'))!.status, 'Completed');
    const feed = (await raw.xrange(store.keys.feed, '-', '+')) as [string, string[]][];
    const order = feed.map(([, f]) => `${f[f.indexOf('j') + 1]}:${f[f.indexOf('s') + 1]}`);
    assert.deepEqual(order, ['settled:1', 'a:1', 'b:1', 'a:2', 'b:2'], 'the feed holds them in the order appended');
  });
});
