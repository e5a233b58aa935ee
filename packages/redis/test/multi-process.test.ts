import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../hub/test/support/wait.js';
import { type NodeScript, startNodeScript } from '../../../test-support/processes.js';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { until } from '../../../test-support/until.js';
import { type RedisHubContext, createRedisHubContext } from '../src/index.js';
import type { ApiNodeOptions } from './fixtures/api-node.js';
import { HUB_NAME } from './fixtures/api-node.js';
import { type TestClient, WS_MSGPACK, assertReceived, openClient, range, stopAll } from './support/clients.js';

const NODE_SCRIPT = fileURLToPath(new URL('./fixtures/api-node-process.ts', import.meta.url));

interface NodeInfo {
  readonly url: string;
  readonly nodeId: string;
}

describe('two API nodes as separate processes', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let nodeA: NodeScript<NodeInfo>;
  let nodeB: NodeScript<NodeInfo>;
  let worker: RedisHubContext;
  const opened: TestClient[] = [];

  async function open(node: NodeScript<NodeInfo>, user?: string, msgpack = false): Promise<TestClient> {
    const client = await openClient(node.info.url, { user, clientCase: msgpack ? WS_MSGPACK : undefined });
    opened.push(client);
    return client;
  }

  function startNode(nodeId: string): Promise<NodeScript<NodeInfo>> {
    const options: ApiNodeOptions = { redisUrl: redis.url, nodeId, heartbeatIntervalMs: 100, nodeTimeoutMs: 1500, ackTimeoutMs: 1000 };
    return startNodeScript<NodeInfo>(NODE_SCRIPT, [JSON.stringify(options)]);
  }

  before(async () => {
    redis = await startRedisServer();
    [nodeA, nodeB] = await Promise.all([startNode('proc-a'), startNode('proc-b')]);
    worker = createRedisHubContext({ redis: redis.url, hub: HUB_NAME, redisOptions: { retryStrategy: () => 100 } });
    await worker.ready();
  });
  afterEach(() => stopAll(opened.splice(0)));
  after(async () => {
    await Promise.allSettled([nodeA?.stop('SIGKILL'), nodeB?.stop('SIGKILL')]);
    await worker?.close();
    await redis?.stop();
  });

  it('group and user sends from node B reach connections on node A exactly once, in order', async () => {
    const a1 = await open(nodeA, 'alice');
    const a2 = await open(nodeA, 'bob', true);
    const b1 = await open(nodeB, 'alice');
    const sender = await open(nodeB, 'sam');
    assert.equal(await a1.connection.invoke('NodeId'), 'proc-a');
    assert.equal(await sender.connection.invoke('NodeId'), 'proc-b');
    await a1.connection.invoke('Join', 'job-1');
    await a2.connection.invoke('Join', 'job-1');
    const group = range(25, 'group');
    const user = range(25, 'user');
    for (let i = 0; i < 25; i++) {
      await sender.connection.invoke('SendGroup', 'job-1', group[i]);
      await sender.connection.invoke('SendUser', 'alice', user[i]);
    }
    const interleaved = group.flatMap((g, i) => [g, user[i]]);
    await assertReceived(sender, new Map([[a1, interleaved], [a2, group], [b1, user], [sender, []]]));
    // Membership made on B for a connection on A, then a send from a third process.
    await sender.connection.invoke('AddToGroup', a2.id, 'job-2');
    await worker.clients.group('job-2').send('Message', 'from the worker');
    a1.connection.on('Ask', (q: string) => `${q}!`);
    assert.equal(await sender.connection.invoke('Ask', a1.id, 'ping', 5000), 'ping!');
    await assertReceived(sender, new Map([[a1, []], [a2, ['from the worker']]]));
  });

  it('survives a Redis restart: sends fail clearly meanwhile, nothing crashes, later sends flow', async () => {
    const a1 = await open(nodeA, 'alice');
    const b1 = await open(nodeB, 'bob');
    const sender = await open(nodeB);
    await a1.connection.invoke('Join', 'r');
    await b1.connection.invoke('Join', 'r');
    await sender.connection.invoke('SendGroup', 'r', 'before');
    await assertReceived(sender, new Map([[a1, ['before']], [b1, ['before']]]));

    await redis.shutdown();
    await until(() => sender.connection.invoke<boolean>('BackplaneConnected'), (up) => !up, 'node B to notice the outage');
    await until(() => a1.connection.invoke<boolean>('BackplaneConnected'), (up) => !up, 'node A to notice the outage');
    await assert.rejects(sender.connection.invoke('SendGroup', 'r', 'during'), /BackplaneUnavailableError: Redis is unavailable/);
    await assert.rejects(worker.clients.group('r').send('Message', 'during'), /Redis is unavailable/);
    // Local work goes on: B's own member got the send, and A accepts a group join.
    await waitFor(() => b1.messages.includes('during'), 2000, 'the local delivery on B');
    b1.messages.splice(0);
    await a1.connection.invoke('Join', 'joined-during-outage');

    await redis.restart();
    await until(() => sender.connection.invoke<boolean>('BackplaneConnected'), (up) => up, 'node B to reconnect');
    await until(() => a1.connection.invoke<boolean>('BackplaneConnected'), (up) => up, 'node A to reconnect');
    const later = range(10, 'after');
    for (const m of later) await sender.connection.invoke('SendGroup', 'r', m);
    await sender.connection.invoke('SendGroup', 'joined-during-outage', 'new group');
    await assertReceived(sender, new Map([[a1, [...later, 'new group']], [b1, later]]));
    await worker.clients.user('alice').send('Message', 'worker reconnected too');
    await assertReceived(sender, new Map([[a1, ['worker reconnected too']]]));

    assert.equal(nodeA.child.exitCode, null, nodeA.output());
    assert.equal(nodeB.child.exitCode, null, nodeB.output());
    assert.equal(a1.connection.state, 'Connected');
    // The restart emptied Redis; the nodes wrote their connections back.
    await until(() => worker.presence.getUserConnections('alice'), (ids) => ids.length === 1 && ids[0] === a1.id, 'alice re-registered');
    await until(() => worker.presence.getGroupConnections('joined-during-outage'), (ids) => ids.length === 1, 'the group joined during the outage');
  });

  it('a killed API node leaves no ghost connections or memberships', async () => {
    const a1 = await open(nodeA, 'carol');
    const b1 = await open(nodeB, 'dave');
    const sender = await open(nodeB);
    await a1.connection.invoke('Join', 'k');
    await a1.connection.invoke('Join', 'only-a');
    await b1.connection.invoke('Join', 'k');
    assert.equal((await worker.presence.getGroupConnections('k')).length, 2);
    assert.deepEqual(await worker.presence.getUserConnections('carol'), [a1.id]);

    const killedId = a1.id;
    await nodeA.stop('SIGKILL');
    await until(() => worker.presence.getGroupConnections('k'), (ids) => ids.length === 1 && ids[0] === b1.id, "node A's group membership to go");
    assert.deepEqual(await worker.presence.getUserConnections('carol'), []);
    assert.deepEqual(await worker.presence.getGroupConnections('only-a'), []);
    assert.deepEqual(await worker.presence.getConnectionGroups(killedId), []);
    assert.equal(await worker.presence.getConnection(killedId), undefined);
    assert.deepEqual((await worker.presence.getNodes()).map((n) => n.nodeId), ['proc-b']);
    await sender.connection.invoke('SendGroup', 'k', 'survivors');
    await assertReceived(sender, new Map([[b1, ['survivors']]]));
    assert.equal(nodeB.child.exitCode, null, nodeB.output());
  });
});
