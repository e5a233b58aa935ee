import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { tempDir } from '../../jobs/test/support/harness.js';
import { TRANSPORT_CASES, connect, type signalR } from '../../hub/test/support/signalr.js';
import { waitFor } from '../../hub/test/support/wait.js';
import { call, historySequences, startApiNode } from './scale-support.js';
import type { ServiceProcess } from './support/process.js';

const VIDEO = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';

/** The job-event kinds HotSwap reports as a DeploymentStatusChanged (its surface's status changes). */
const DEPLOYMENT_STATUS_KINDS = new Set(['created', 'started', 'completed', 'failed', 'cancelled', 'retrying', 'interrupted', 'recovered', 'retried']);

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/**
 * Every API node reads every job event from the shared feed and delivers it
 * to its own connections, so the examples' job-event sends must go through
 * `context.local`: sent across the backplane instead, a subscriber would get
 * each event once per node.
 */
describe("scaled mode: the example plugins' job events reach a subscriber on node A exactly once", { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let nodeA: ServiceProcess;
  let nodeB: ServiceProcess;
  const connections: signalR.HubConnection[] = [];
  const dataDirs = tempDir();

  before(async () => {
    redis = await startRedisServer();
    // Each node also runs jobs: a job's events are written by whichever node runs it.
    const node = (name: string) => startApiNode({ REDIS_URL: redis.url, ROLE: 'all', DEMO_SPEED: '20', LOG_LEVEL: 'warn', DATA_DIR: join(dataDirs.path, name) });
    [nodeA, nodeB] = await Promise.all([node('a'), node('b')]);
  });

  after(async () => {
    await Promise.allSettled(connections.map((c) => c.stop()));
    for (const node of [nodeA, nodeB]) node?.kill();
    await Promise.allSettled([nodeA, nodeB].map((node) => node?.exited));
    await redis?.stop();
    dataDirs.cleanup();
  });

  async function hub(url: string, accessToken?: string): Promise<signalR.HubConnection> {
    const connection = await connect(url, TRANSPORT_CASES[0]!, { accessToken });
    connections.push(connection);
    return connection;
  }

  it("YoutubeRag's /hubs/progress: a user on node A gets every event of a pipeline ingested through node B once, in order", async () => {
    const { body: issued } = await call(nodeA.url, '/api/v1/auth/dev-token', { userId: 'carol' });
    const connection = await hub(`${nodeA.url}/hubs/progress`, issued.token as string);
    const arrivals: { method: string; jobId: string; sequence: number }[] = [];
    for (const method of ['onJobProgress', 'onJobCompleted', 'onJobFailed']) {
      connection.on(method, (payload: { jobId: string; sequence: number }) => void arrivals.push({ method, jobId: payload.jobId, sequence: payload.sequence }));
    }

    const { status, body } = await call(nodeB.url, '/api/v1/videos/ingest', { url: VIDEO, userId: 'carol' });
    assert.equal(status, 202, JSON.stringify(body));
    const jobId = body.jobId as string;
    await waitFor(() => arrivals.some((a) => a.jobId === jobId && a.method === 'onJobCompleted'), 30_000, 'the pipeline to complete');

    // carol is in user-carol on connect: every event of her top-level job, each once.
    const history = await historySequences(nodeA.url, jobId);
    assert.deepEqual(
      arrivals.filter((a) => a.jobId === jobId).map((a) => a.sequence),
      range(1, history.length),
      'every stored event of the pipeline once, in order',
    );
  });

  it("HotSwap's /deploymentHub: a dashboard on node A gets each status change of a deployment started through node B once", async () => {
    const connection = await hub(`${nodeA.url}/deploymentHub`);
    const statuses: { ExecutionId: string; Status: string }[] = [];
    connection.on('DeploymentStatusChanged', (message: { ExecutionId: string; Status: string }) => void statuses.push(message));
    await connection.invoke('SubscribeToAllDeployments');

    const { status, body } = await call(nodeB.url, '/api/deployments', {
      module: { name: 'ScaledModule', version: '1.0.0' },
      targetEnvironment: 'Production',
      requesterEmail: 'user@example.com',
    });
    assert.equal(status, 202, JSON.stringify(body));
    const executionId = body.executionId as string;
    await waitFor(() => statuses.some((s) => s.ExecutionId === executionId && s.Status === 'Succeeded'), 30_000, 'the deployment to succeed');

    const statusEvents = (await historySequences(nodeA.url, executionId)).filter((e) => DEPLOYMENT_STATUS_KINDS.has(e.kind));
    const received = statuses.filter((s) => s.ExecutionId === executionId);
    assert.equal(received.length, statusEvents.length, `one DeploymentStatusChanged per status event (${statusEvents.map((e) => e.kind)}), got ${received.map((s) => s.Status)}`);
    assert.equal(received.filter((s) => s.Status === 'Succeeded').length, 1, 'the outcome once');
  });
});
