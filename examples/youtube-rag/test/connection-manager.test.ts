import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { until } from '../../../test-support/until.js';
import { type RunningService, SEED_VIDEO_URL, TRANSPORT_CASES, connect, gatedDemo, type signalR, startService, tempDir } from '../../../packages/server/test/support/service.js';
import { youtubeRagPlugin } from '../src/index.js';

type YoutubeRagPlugin = ReturnType<typeof youtubeRagPlugin>;

const sorted = (list: readonly string[]): string[] => [...list].sort();

/** A user's `/hubs/progress` connection, by a development token of the service. */
async function progressConnection(service: RunningService, userId: string): Promise<signalR.HubConnection> {
  const { body } = await service.http('/api/v1/auth/dev-token', { body: { userId } });
  return connect(`${service.url}/hubs/progress`, TRANSPORT_CASES[0]!, { accessToken: body.token as string });
}

async function ingest(service: RunningService, userId: string, tag: string): Promise<string> {
  const response = await service.http('/api/v1/videos/ingest', { body: { url: `${SEED_VIDEO_URL}&${tag}`, userId } });
  assert.equal(response.status, 202, JSON.stringify(response.body));
  return response.body.jobId as string;
}

describe("YoutubeRag's connection manager on one node (the memory lifetime manager)", () => {
  const dir = tempDir();
  const demo = gatedDemo(20);
  const plugin = youtubeRagPlugin();
  let service: RunningService;
  const opened: signalR.HubConnection[] = [];

  before(async () => {
    service = await startService(dir.path, { processors: demo.processors, plugins: [plugin] });
  });
  after(async () => {
    await Promise.allSettled(opened.map((c) => c.stop()));
    await service?.close();
    dir.cleanup();
  });

  it("keeps subscribeToJob's subscriptions per connection and user, and forgets them when the connection closes", async () => {
    const connections = plugin.connections;
    const first = await progressConnection(service, 'alice');
    const second = await progressConnection(service, 'alice');
    opened.push(first, second);
    const [a1, a2] = [first.connectionId!, second.connectionId!];
    const jobId = await ingest(service, 'alice', 'memory');

    assert.deepEqual(sorted(await connections.getUserConnections('alice')), sorted([a1, a2]));
    await first.invoke('subscribeToJob', jobId);
    assert.deepEqual(await connections.getJobConnections(jobId), [a1]);
    assert.deepEqual(await connections.getConnectionJobs(a1), [jobId]);
    await connections.addJobSubscription('alice', 'elsewhere', a2);
    assert.deepEqual(sorted(await connections.getUserSubscriptions('alice')), sorted([jobId, 'elsewhere']));
    await assert.rejects(connections.addJobSubscription('mallory', 'elsewhere', a1), /not a connection of user 'mallory'/);
    await assert.rejects(connections.addJobSubscription('alice', '', a1), /jobId must be a non-empty string/);
    await connections.removeJobSubscription('alice', 'elsewhere', a2);
    assert.deepEqual(await connections.getConnectionJobs(a2), []);

    await first.stop();
    await until(() => connections.getUserSubscriptions('alice'), (jobs) => jobs.length === 0, "alice's subscriptions to go with her connection");
    assert.deepEqual(await connections.getJobConnections(jobId), []);
    assert.deepEqual(await connections.getUserConnections('alice'), [a2]);
  });
});

describe("YoutubeRag's connection manager across two API nodes on a real Redis", { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  const dirs = [tempDir(), tempDir()];
  const plugins: [YoutubeRagPlugin, YoutubeRagPlugin] = [youtubeRagPlugin(), youtubeRagPlugin()];
  let nodeA: RunningService;
  let nodeB: RunningService;
  const opened: signalR.HubConnection[] = [];

  before(async () => {
    redis = await startRedisServer();
    // API nodes only: the jobs wait in the queue, which is all a subscription needs.
    const node = (i: 0 | 1) =>
      startService(dirs[i]!.path, { config: { redisUrl: redis.url, role: 'api', redisPrefix: 'youtube-rag-connections' }, plugins: [plugins[i]] });
    [nodeA, nodeB] = await Promise.all([node(0), node(1)]);
  });
  after(async () => {
    await Promise.allSettled(opened.map((c) => c.stop()));
    await Promise.allSettled([nodeA?.close(), nodeB?.close()]);
    await redis?.stop();
    for (const dir of dirs) dir.cleanup();
  });

  it('a subscription made on node A is seen from node B, and cleared when the connection closes', async () => {
    const [onA, onB] = [plugins[0].connections, plugins[1].connections];
    const carol = await progressConnection(nodeA, 'carol');
    const carolOnB = await progressConnection(nodeB, 'carol');
    opened.push(carol, carolOnB);
    const [c1, c2] = [carol.connectionId!, carolOnB.connectionId!];
    const jobId = await ingest(nodeA, 'carol', 'scaled');

    await carol.invoke('subscribeToJob', jobId);
    assert.deepEqual(await onB.getJobConnections(jobId), [c1]);
    assert.deepEqual(await onB.getConnectionJobs(c1), [jobId]);
    assert.deepEqual(sorted(await onB.getUserConnections('carol')), sorted([c1, c2]));

    // Made on B for carol's connection on A: routed to A; carol's active subscriptions span both nodes.
    await onB.addJobSubscription('carol', 'second-job', c1);
    await carolOnB.invoke('subscribeToJob', jobId);
    assert.deepEqual(sorted(await onA.getConnectionJobs(c1)), sorted([jobId, 'second-job']));
    assert.deepEqual(sorted(await onA.getUserSubscriptions('carol')), sorted([jobId, 'second-job']));
    assert.deepEqual(sorted(await onA.getJobConnections(jobId)), sorted([c1, c2]));
    await assert.rejects(onB.addJobSubscription('mallory', 'second-job', c1), /not a connection of user 'mallory'/);
    await onA.removeJobSubscription('carol', 'second-job', c1);
    assert.deepEqual(await onB.getConnectionJobs(c1), [jobId]);

    await carol.stop();
    await until(() => onB.getJobConnections(jobId), (ids) => ids.length === 1 && ids[0] === c2, "the closed connection's subscription to go");
    assert.deepEqual(await onB.getConnectionJobs(c1), []);
    assert.deepEqual(await onA.getUserSubscriptions('carol'), [jobId]);
    await carolOnB.stop();
    await until(() => onA.getUserSubscriptions('carol'), (jobs) => jobs.length === 0, "carol's subscriptions to go");
  });
});
