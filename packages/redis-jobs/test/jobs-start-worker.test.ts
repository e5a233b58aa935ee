import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { silentLogger } from '@tidings/hub';
import { JobInputError, defineJobType } from '@tidings/jobs';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { until } from '../../../test-support/until.js';
import { type ClusterJobEngine, RedisJobCluster, type RunningJobWorker, startJobWorker } from '../src/index.js';

/** The one module both processes import: a job type, its schema and its processor. */
const wordCount = defineJobType({
  name: 'WordCount',
  input: Type.Object({ text: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  async process(job, ctx) {
    await ctx.stage('Counting', 50);
    await ctx.output(`counting ${job.input.text.length} characters`);
    return { result: { words: job.input.text.split(/\s+/).length } };
  },
});

describe('startJobWorker: a worker from job types alone', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let api: RedisJobCluster;
  let engine: ClusterJobEngine;
  let worker: RunningJobWorker;

  before(async () => {
    redis = await startRedisServer();
    api = new RedisJobCluster({ redis: redis.url, prefix: 'plain-worker', logger: silentLogger }).register(wordCount);
    engine = api.engine({ throttleIntervalMs: 10 });
    await engine.start();
    worker = await startJobWorker({ redis: redis.url, prefix: 'plain-worker', types: [wordCount], concurrency: 2, logger: silentLogger });
  });
  after(async () => {
    await worker?.close();
    await api?.close();
    await redis?.stop();
  });

  it('runs a job the API node enqueued, with the type’s processor; the API node checks the input first', async () => {
    assert.ok(worker.connected);
    await assert.rejects(engine.enqueue({ type: 'WordCount', input: { text: 42 } }), JobInputError);
    assert.deepEqual(await engine.list({ type: 'WordCount' }), [], 'refused input created nothing');
    const job = await engine.enqueue({ type: 'WordCount', input: { text: 'three short words' } });
    const done = await until(() => engine.get(job.id), (j) => j?.status === 'Completed', 'the job to complete');
    assert.deepEqual(done!.result, { words: 3 });
    assert.deepEqual(
      (await engine.events(job.id)).filter((e) => e.kind === 'output').map((e) => e.output?.data),
      ['counting 17 characters'],
    );
  });

  it('refuses to start without job types', async () => {
    await assert.rejects(startJobWorker({ redis: redis.url, types: [] }), /at least one job type/);
  });
});
