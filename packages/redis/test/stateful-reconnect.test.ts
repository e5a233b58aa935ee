import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { waitFor } from '../../hub/test/support/wait.js';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { type TcpProxy, startTcpProxy } from '../../../test-support/tcp-proxy.js';
import { until } from '../../../test-support/until.js';
import { type ApiNode, HUB_PATH, startApiNode } from './fixtures/api-node.js';
import { type TestClient, assertReceived, openClient, range, stopAll } from './support/clients.js';

function portOf(node: ApiNode): number {
  return Number(new URL(node.url).port);
}

/**
 * Stateful reconnect resumes a buffer held in the memory of the node that had
 * the connection: behind a sticky balancer it works across the backplane; when
 * the reconnect lands on another node it is refused (404) and the official
 * client starts a fresh connection there.
 */
describe('stateful reconnect with the Redis backplane', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let nodeA: ApiNode;
  let nodeB: ApiNode;
  let proxy: TcpProxy;
  const opened: TestClient[] = [];

  before(async () => {
    redis = await startRedisServer();
    const hubOptions = { statefulReconnectWindowMs: 1500 };
    [nodeA, nodeB] = await Promise.all([
      startApiNode({ redisUrl: redis.url, nodeId: 'node-a', hubOptions }),
      startApiNode({ redisUrl: redis.url, nodeId: 'node-b', hubOptions }),
    ]);
    proxy = await startTcpProxy(portOf(nodeA));
  });
  afterEach(() => stopAll(opened.splice(0)));
  after(async () => {
    await proxy?.close();
    await Promise.allSettled([nodeA?.close(), nodeB?.close()]);
    await redis?.stop();
  });

  async function open(url: string, stateful: boolean): Promise<TestClient> {
    const client = await openClient(url, { statefulReconnect: stateful, reconnect: stateful });
    opened.push(client);
    return client;
  }

  it('behind a sticky balancer, messages sent from another node during the gap are replayed once, in order', async () => {
    proxy.setTarget(portOf(nodeA));
    const client = await open(`http://127.0.0.1:${proxy.port}${HUB_PATH}`, true);
    const sender = await open(nodeB.url, false);
    const id = client.id;
    let reconnecting = false;
    client.connection.onreconnecting(() => (reconnecting = true));
    await client.connection.invoke('Join', 'sticky');

    proxy.dropConnections();
    const gap = range(10, 'gap');
    for (const m of gap) await sender.connection.invoke('SendGroup', 'sticky', m);
    await waitFor(() => client.messages.length === gap.length, 5000, 'the replayed messages');
    assert.equal(client.id, id, 'the same logical connection');
    assert.equal(reconnecting, false, 'the application saw no reconnect');
    await assertReceived(sender, new Map([[client, gap]]));
  });

  it('when the reconnect reaches another node it gets 404, and the client starts a fresh connection there', async () => {
    proxy.setTarget(portOf(nodeA));
    const client = await open(`http://127.0.0.1:${proxy.port}${HUB_PATH}`, true);
    const sender = await open(nodeB.url, false);
    const oldId = client.id;
    const reconnected = new Promise<string | undefined>((resolve) => client.connection.onreconnected(resolve));
    const seenBefore = proxy.firstLines.length;

    proxy.setTarget(portOf(nodeB));
    proxy.dropConnections();
    const newId = await reconnected;
    assert.ok(newId && newId !== oldId, `a new connection id (${newId} vs ${oldId})`);
    assert.ok(
      proxy.firstLines.slice(seenBefore).some((line) => line.startsWith('HTTP/1.1 404')),
      `node B refused the resume: ${proxy.firstLines.slice(seenBefore).join(' | ')}`,
    );
    assert.equal((await nodeB.manager.presence.getConnection(newId))?.nodeId, 'node-b');
    await sender.connection.invoke('SendClient', newId, 'on the new node');
    await assertReceived(sender, new Map([[client, ['on the new node']]]));
    // Node A drops the abandoned connection once its stateful window has passed.
    await waitFor(() => nodeA.manager.localConnectionCount === 0, 5000, 'node A to drop the old connection');
    await until(() => nodeB.manager.presence.getConnection(oldId), (info) => info === undefined, 'the old connection to leave the cluster view');
  });
});
