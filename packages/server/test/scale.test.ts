import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { silentLogger } from '@tidings/hub';
import { RECOVERED_MESSAGE } from '@tidings/jobs';
import { type RedisHubContext, createRedisHubContext } from '@tidings/redis';
import { RedisJobCluster } from '@tidings/redis-jobs';
import { join } from 'node:path';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { tempDir } from '../../jobs/test/support/harness.js';
import { waitFor } from '../../hub/test/support/wait.js';
import {
  type RecordingClient,
  type WorkerProcess,
  call,
  historySequences,
  recordingClient,
  startApiNode,
  startWorkerProcess,
} from './scale-support.js';
import type { ServiceProcess } from './support/process.js';
import { until as pollUntil } from '../../../test-support/until.js';

const VIDEO = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';
const HUB = '/hubs/job-progress';

interface Ingested {
  readonly jobId: string;
  readonly steps: Record<string, string>;
}

/** The shared poll, with this suite's longer default (several processes on one machine). */
const until = <T>(query: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 20_000) => pollUntil(query, accept, what, timeoutMs);

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

describe('scaled mode: 2 API nodes and 2 workers as processes on one redis-server', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let env: Record<string, string>;
  let nodeA: ServiceProcess;
  let nodeB: ServiceProcess;
  const workers: WorkerProcess[] = [];
  /** The test's own view of the job cluster (queue counts, who holds a job). */
  let cluster: RedisJobCluster;
  let hubContext: RedisHubContext;
  const clients: RecordingClient[] = [];
  const dataDirs = tempDir();
  /** Each process its own data directory (the Conduit surface keeps SQLite files there). */
  const dataDir = (name: string) => join(dataDirs.path, name);

  async function client(node: ServiceProcess, userId?: string): Promise<RecordingClient> {
    const c = await recordingClient(node.url, userId);
    clients.push(c);
    return c;
  }

  async function ingest(node: ServiceProcess, userId: string): Promise<Ingested> {
    const { status, body } = await call(node.url, '/api/v1/videos/ingest', { url: VIDEO, userId });
    assert.equal(status, 202, JSON.stringify(body));
    const steps = Object.fromEntries((body.jobs as { jobId: string; jobType: string }[]).map((j) => [j.jobType, j.jobId]));
    return { jobId: body.jobId as string, steps };
  }

  const jobOf = (node: ServiceProcess, id: string) => call(node.url, `/api/v1/jobs/${id}`).then((r) => r.body as { status: string; currentStage: string | null });

  function assertAlive(): void {
    for (const p of [nodeA, nodeB, ...workers]) assert.equal(p.child.exitCode, null, `a process exited:\n${p.output()}`);
  }

  before(async () => {
    redis = await startRedisServer();
    env = { REDIS_URL: redis.url, DEMO_SPEED: '2', JOB_LOCK_MS: '1000', NODE_TIMEOUT_MS: '1500', SHUTDOWN_GRACE_MS: '1000', JOB_CONCURRENCY: '2', LOG_LEVEL: 'warn' };
    [nodeA, nodeB] = await Promise.all([startApiNode({ ...env, DATA_DIR: dataDir('a') }), startApiNode({ ...env, DATA_DIR: dataDir('b') })]);
    workers.push(...(await Promise.all([1, 2].map((n) => startWorkerProcess({ ...env, DATA_DIR: dataDir(`w${n}`) })))));
    const quiet = { redisOptions: { retryStrategy: () => 100 }, logger: silentLogger };
    cluster = new RedisJobCluster({ redis: redis.url, prefix: 'tidings', nodeId: 'test', ...quiet });
    hubContext = createRedisHubContext({ redis: redis.url, hub: HUB, channelPrefix: 'tidings', ...quiet });
  });
  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.stop()));
  });
  after(async () => {
    await cluster?.close();
    await hubContext?.close();
    for (const p of [nodeA, nodeB, ...workers]) p?.kill();
    await Promise.all([nodeA, nodeB, ...workers].map((p) => p?.exited));
    await redis?.stop();
    dataDirs.cleanup();
  });

  it('a client on node A receives every event of a job submitted on node B, in order, exactly once', async () => {
    const alice = await client(nodeA, 'alice');
    const job = await ingest(nodeB, 'alice');
    const watcher = await client(nodeA);
    await watcher.connection.invoke('SubscribeToJob', job.jobId);
    await waitFor(() => alice.arrivals.some((a) => a.jobId === job.jobId && a.method === 'JobCompleted'), 30_000, 'the pipeline to complete');
    await waitFor(() => watcher.arrivals.some((a) => a.method === 'JobCompleted'), 5000, 'the watcher to see it complete');

    // Alice's connection is in user-alice: every event of her four jobs, each once, in order.
    for (const id of [job.jobId, ...Object.values(job.steps)]) {
      const history = await historySequences(nodeA.url, id);
      assert.deepEqual(history.map((e) => e.sequence), range(1, history.length), 'the stored history has no gap');
      assert.deepEqual(alice.sequencesOf(id), range(1, history.length), `alice got every event of ${id} once, in order`);
      assert.deepEqual(await historySequences(nodeB.url, id), history, 'both nodes answer the same history');
    }
    assert.deepEqual(alice.notices.filter((n) => n.type === 'JobCompleted').map((n) => n.data?.jobId), [job.jobId]);

    // The watcher subscribed after the start: the state then, then exactly what followed.
    const seen = watcher.sequencesOf(job.jobId);
    const last = (await historySequences(nodeA.url, job.jobId)).length;
    assert.deepEqual(seen, range(seen[0]!, last), `snapshot then every later event once: ${seen}`);
    assertAlive();
  });

  it('REST answers from any node, and a cancel from node A stops the step a worker is running', async () => {
    const job = await ingest(nodeB, 'bob');
    const transcription = job.steps.Transcription!;
    await until(() => jobOf(nodeA, transcription), (j) => j.currentStage === 'Transcribing audio', 'the transcription to be transcribing');
    const listed = await call(nodeA.url, '/api/v1/jobs?userId=bob&status=Running');
    assert.ok((listed.body.jobs as { jobId: string }[]).some((j) => j.jobId === transcription), 'node A lists the running step');

    const cancelled = await call(nodeA.url, `/api/v1/jobs/${job.jobId}/cancel`, {});
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.status, 'Cancelled');
    // The worker lets go of the step. (That the cancel aborts its processor's signal is
    // @tidings/redis's jobs-cluster test; a deadline here would prove the machine's speed.)
    await until(() => cluster.queue.refreshStats(), (c) => c.running === 0, 'the worker to let go of the step');
    const history = await historySequences(nodeB.url, transcription);
    assert.equal(history.at(-1)!.kind, 'cancelled');
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await historySequences(nodeA.url, transcription), history, 'nothing after the cancel');
    assert.equal((await call(nodeB.url, `/api/v1/jobs/${job.jobId}/cancel`, {})).status, 409);
  });

  it('group and user sends from another process reach connections on node A through the backplane', async () => {
    const alice = await client(nodeA, 'alice');
    const watcher = await client(nodeB);
    const job = await ingest(nodeA, 'carol');
    await watcher.connection.invoke('SubscribeToJob', job.jobId);
    const aliceIds = await hubContext.presence.getUserConnections('alice');
    assert.ok(aliceIds.includes(alice.connection.connectionId!), 'node A registered alice in the cluster view');
    await hubContext.clients.user('alice').send('UserNotification', { type: 'Hello', message: 'to alice', data: {}, timestamp: new Date().toISOString() });
    await hubContext.clients.group(`job-${job.jobId}`).send('BroadcastNotification', { type: 'ToGroup', message: 'to the job group', data: {}, timestamp: new Date().toISOString() });
    await waitFor(() => alice.notices.some((n) => n.type === 'Hello'), 5000, 'the user send');
    await waitFor(() => watcher.notices.some((n) => n.type === 'ToGroup'), 5000, 'the group send');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(alice.notices.filter((n) => n.type === 'Hello').length, 1);
    assert.equal(alice.notices.filter((n) => n.type === 'ToGroup').length, 0);
    await call(nodeA.url, `/api/v1/jobs/${job.jobId}/cancel`, {});
  });

  it('a worker killed mid-job: the job completes on the other worker and the subscriber sees it continue', async () => {
    const job = await ingest(nodeA, 'dave');
    const transcription = job.steps.Transcription!;
    const watcher = await client(nodeB);
    await watcher.connection.invoke('SubscribeToJob', job.jobId);
    await watcher.connection.invoke('SubscribeToJob', transcription);
    await until(() => jobOf(nodeA, transcription), (j) => j.currentStage === 'Transcribing audio', 'the transcription to be transcribing');
    const holderId = await cluster.queue.holderOf(transcription);
    const holder = workers.find((w) => w.nodeId === holderId);
    assert.ok(holder, `a worker process holds the step (${holderId})`);
    holder.kill('SIGKILL');
    await holder.exited;
    workers.splice(workers.indexOf(holder), 1);

    await waitFor(() => watcher.arrivals.some((a) => a.jobId === job.jobId && a.method === 'JobCompleted'), 30_000, 'the pipeline to complete');
    const steps = watcher.arrivals.filter((a) => a.jobId === transcription);
    const recovered = steps.findIndex((a) => a.statusMessage === RECOVERED_MESSAGE);
    assert.ok(recovered > 0, `the subscriber saw the step recovered: ${steps.map((a) => a.statusMessage)}`);
    assert.equal(steps[recovered + 1]!.statusMessage, 'Started (attempt 2)');
    assert.equal(steps.at(-1)!.method, 'JobCompleted');
    for (const id of [job.jobId, transcription]) {
      const seen = watcher.sequencesOf(id);
      const history = await historySequences(nodeB.url, id);
      assert.deepEqual(history.map((e) => e.sequence), range(1, history.length));
      assert.deepEqual(seen, range(seen[0]!, history.length), `${id}: every event after the snapshot once, in order`);
    }
    workers.push(await startWorkerProcess({ ...env, DATA_DIR: dataDir('w3') }));
    assertAlive();
  });

  it('a Redis restart: requests fail clearly meanwhile, nothing crashes, the nodes reconnect and later jobs flow', async () => {
    const alice = await client(nodeA, 'alice');
    await redis.shutdown();
    await until(() => call(nodeB.url, '/health'), (r) => r.body.status === 'degraded' && r.body.redis.connected === false, 'node B to notice');
    const during = await call(nodeB.url, '/api/v1/videos/ingest', { url: VIDEO, userId: 'alice' });
    assert.ok(during.status >= 500, `an ingest during the outage fails (${during.status})`);

    await redis.restart();
    for (const node of [nodeA, nodeB]) {
      await until(() => call(node.url, '/health'), (r) => r.body.status === 'ok' && r.body.redis.connected === true, 'the node to reconnect', 30_000);
    }
    const watcher = await client(nodeB);
    const job = await ingest(nodeB, 'alice');
    await watcher.connection.invoke('SubscribeToJob', job.jobId);
    await waitFor(() => alice.arrivals.some((a) => a.jobId === job.jobId && a.method === 'JobCompleted'), 40_000, 'a job after the restart to complete');
    const history = await historySequences(nodeA.url, job.jobId);
    assert.deepEqual(alice.sequencesOf(job.jobId), range(1, history.length), 'every event of the later job once, in order');
    await waitFor(() => watcher.arrivals.some((a) => a.method === 'JobCompleted'), 5000, 'the watcher on node B too');
    assertAlive();
  });

  it('a node stopping gracefully tells only its own clients that it stops', async () => {
    const nodeC = await startApiNode({ ...env, DATA_DIR: dataDir('c') });
    try {
      const onC = await client(nodeC);
      const onA = await client(nodeA);
      nodeC.child.kill('SIGTERM');
      assert.equal(await nodeC.exited, 0, nodeC.output());
      await waitFor(() => onC.notices.some((n) => n.type === 'ServerShutdown'), 5000, 'the shutdown notice on C');
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(onA.notices.filter((n) => n.type === 'ServerShutdown'), [], "A's clients are not told C is stopping");
    } finally {
      nodeC.kill();
    }
  });

  it("a killed API node's connections and memberships disappear from the cluster", async () => {
    const onB = await client(nodeB, 'erin');
    const job = await ingest(nodeA, 'erin');
    await onB.connection.invoke('SubscribeToJob', job.jobId);
    await until(() => hubContext.presence.getGroupConnections(`job-${job.jobId}`), (ids) => ids.includes(onB.connection.connectionId!), 'the membership in Redis');
    const bNode = (await call(nodeB.url, '/health')).body.redis.nodeId as string;

    nodeB.kill();
    await nodeB.exited;
    await until(() => hubContext.presence.getGroupConnections(`job-${job.jobId}`), (ids) => ids.length === 0, "node B's memberships to go", 15_000);
    assert.deepEqual(await hubContext.presence.getUserConnections('erin'), []);
    assert.ok(!(await hubContext.presence.getNodes()).some((n) => n.nodeId === bNode), 'node B is gone from the cluster view');
    assert.equal((await call(nodeA.url, '/health')).body.status, 'ok');
    for (const p of [nodeA, ...workers]) assert.equal(p.child.exitCode, null, p.output());
  });
});
