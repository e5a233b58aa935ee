/**
 * A job type of the user's own (ReportWriter, from a test module) in scaled
 * mode: the API node and a BullMQ worker (`npm run worker`) both get it from
 * TIDINGS_PLUGINS naming a plain plugin module; the API node (ROLE=api) runs
 * nothing, so the job completing proves the worker ran it. Followed by tag
 * with the official client: output, metadata and the result in sequence order.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobCompleted, JobOutput, JobProgressUpdate } from '@tidings/contract';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { tempDir } from '../../jobs/test/support/harness.js';
import { waitFor } from '../../hub/test/support/wait.js';
import { TRANSPORT_CASES, connect } from '../../hub/test/support/signalr.js';
import { type WorkerProcess, call, startApiNode, startWorkerProcess } from './scale-support.js';
import type { ServiceProcess } from './support/process.js';

const PLUGIN = './packages/server/test/fixtures/report-writer-plugin.ts';

describe('scaled mode: a job type from a plain module, run by a BullMQ worker process', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let node: ServiceProcess;
  let worker: WorkerProcess;
  const dataDirs = tempDir();

  before(async () => {
    redis = await startRedisServer();
    const env = { REDIS_URL: redis.url, TIDINGS_PLUGINS: PLUGIN, LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: '1000' };
    [node, worker] = await Promise.all([startApiNode({ ...env, DATA_DIR: join(dataDirs.path, 'api') }), startWorkerProcess({ ...env, DATA_DIR: join(dataDirs.path, 'worker') })]);
  });
  after(async () => {
    worker?.kill('SIGTERM');
    node?.kill();
    await worker?.exited;
    await node?.exited;
    await redis?.stop();
  });

  it('submitted over REST, run by the worker, followed by tag in sequence order', async () => {
    const types = await call(node.url, '/api/v1/job-types');
    assert.ok((types.body.jobTypes as { name: string }[]).some((t) => t.name === 'ReportWriter'), 'the API node knows the type');

    const connection = await connect(`${node.url}/hubs/job-progress`, TRANSPORT_CASES[0]!);
    try {
      const arrivals: { method: string; payload: JobProgressUpdate | JobOutput | JobCompleted }[] = [];
      for (const method of ['JobProgressUpdate', 'JobOutput', 'JobCompleted', 'JobFailed']) {
        connection.on(method, (payload: JobProgressUpdate | JobOutput | JobCompleted) => arrivals.push({ method, payload }));
      }
      assert.deepEqual(await connection.invoke('SubscribeToTag', 'scaled'), []);
      const refused = await call(node.url, '/api/v1/jobs', { type: 'ReportWriter', input: { title: 'scaled', lines: 'three' }, tags: ['scaled'] });
      assert.equal(refused.status, 400);
      const created = await call(node.url, '/api/v1/jobs', { type: 'ReportWriter', input: { title: 'scaled', lines: 3 }, tags: ['scaled'] });
      assert.equal(created.status, 202, JSON.stringify(created.body));
      await waitFor(() => arrivals.some((a) => a.method === 'JobCompleted' || a.method === 'JobFailed'), 30_000);

      const sequences = arrivals.map((a) => a.payload.sequence);
      assert.deepEqual(sequences, Array.from({ length: sequences.length }, (_, i) => i + 1), 'every event from the first, once, in order');
      assert.deepEqual(
        arrivals.filter((a) => a.method === 'JobOutput').map((a) => (a.payload as JobOutput).data),
        ['line 1 of scaled', 'line 2 of scaled', 'line 3 of scaled'],
      );
      const updates = arrivals.filter((a) => a.method === 'JobProgressUpdate').map((a) => a.payload as JobProgressUpdate);
      assert.deepEqual(updates.at(-1)!.metadata, { linesWritten: 3 });
      const completed = arrivals.at(-1)!;
      assert.equal(completed.method, 'JobCompleted');
      assert.deepEqual((completed.payload as JobCompleted).result, { title: 'scaled', lines: 3 });

      const history = await call(node.url, `/api/v1/jobs/${created.body.job.jobId}/events?after=0`);
      assert.deepEqual(history.body.events.map((e: { sequence: number }) => e.sequence), sequences);
      assert.ok(worker.output().includes('tidings worker is running jobs'));
    } finally {
      await connection.stop();
    }
  });
});
