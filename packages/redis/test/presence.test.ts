import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { HubLogger } from '@tidings/hub';
import { Redis } from 'ioredis';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { until } from '../../../test-support/until.js';
import { type PresenceStats, type RedisHubContext, createRedisHubContext } from '../src/index.js';
import { type ApiNode, HUB_NAME, startApiNode } from './fixtures/api-node.js';
import { type TestClient, assertReceived, openClient, stopAll } from './support/clients.js';

const sorted = (list: readonly string[]): string[] => [...list].sort();

/** Polls an async query until it returns `expected` (presence changes land a round trip after the event). */
const eventually = <T>(query: () => Promise<T>, expected: T, what: string): Promise<T> => until(query, (value) => isDeepStrictEqual(value, expected), what);

describe('presence: the cluster view in Redis', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let nodeA: ApiNode;
  let nodeB: ApiNode;
  let worker: RedisHubContext;
  let raw: Redis;
  const opened: TestClient[] = [];
  /** Nodes that found Redis had lost them and wrote their share back. */
  const reregistered: string[] = [];
  const logger: HubLogger = {
    debug() {},
    info() {},
    warn: (data, message) => message?.startsWith('Redis had lost this node') && reregistered.push((data as { nodeId: string }).nodeId),
    error() {},
  };

  async function open(node: ApiNode, user?: string): Promise<TestClient> {
    const client = await openClient(node.url, { user });
    opened.push(client);
    return client;
  }

  before(async () => {
    redis = await startRedisServer();
    [nodeA, nodeB] = await Promise.all([
      startApiNode({ redisUrl: redis.url, nodeId: 'node-a', heartbeatIntervalMs: 100, nodeTimeoutMs: 3000, logger }),
      startApiNode({ redisUrl: redis.url, nodeId: 'node-b', heartbeatIntervalMs: 100, nodeTimeoutMs: 3000, logger }),
    ]);
    worker = createRedisHubContext({ redis: redis.url, hub: HUB_NAME });
    raw = new Redis(redis.url);
  });
  afterEach(() => stopAll(opened.splice(0)));
  after(async () => {
    raw?.disconnect();
    await worker?.close();
    await Promise.allSettled([nodeA?.close(), nodeB?.close()]);
    await redis?.stop();
  });

  it('knows every connection of a user on every node, and where each lives', async () => {
    const onA = await open(nodeA, 'alice');
    const onB = await open(nodeB, 'alice');
    await open(nodeB, 'bob');
    assert.deepEqual(sorted(await worker.presence.getUserConnections('alice')), sorted([onA.id, onB.id]));
    const info = await worker.presence.getConnection(onA.id);
    assert.equal(info?.nodeId, 'node-a');
    assert.equal(info?.userId, 'alice');
    assert.ok(info && Math.abs(info.connectedAt.getTime() - Date.now()) < 60_000);
    assert.equal(await worker.presence.getConnection('nope'), undefined);
    // The local view's presence is this node's connections only.
    assert.deepEqual(await nodeB.manager.local.presence?.getUserConnections('alice'), [onB.id]);
  });

  it("lists a group's members and a connection's groups on every node, and this node's through local", async () => {
    const onA = await open(nodeA, 'hal');
    const onB = await open(nodeB, 'hal');
    await onA.connection.invoke('Join', 'crew');
    await onA.connection.invoke('Join', 'deck');
    await onB.connection.invoke('AddToGroup', onA.id, 'bridge');
    await onB.connection.invoke('Join', 'crew');
    assert.deepEqual(sorted(await worker.presence.getGroupConnections('crew')), sorted([onA.id, onB.id]));
    assert.deepEqual(sorted(await nodeB.manager.presence.getConnectionGroups(onA.id)), ['bridge', 'crew', 'deck']);
    assert.deepEqual(await nodeA.manager.local.presence?.getGroupConnections('crew'), [onA.id]);
    await onB.connection.invoke('RemoveFromGroup', onA.id, 'deck');
    assert.deepEqual(sorted(await worker.presence.getConnectionGroups(onA.id)), ['bridge', 'crew']);
    await assert.rejects(worker.presence.getGroupConnections(''), /groupName must be a non-empty string/);
  });

  it('forgets a connection, its user entry and groups when it disconnects', async () => {
    const leaving = await open(nodeA, 'carol');
    const staying = await open(nodeB, 'carol');
    await leaving.connection.invoke('Join', 'room');
    await staying.connection.invoke('Join', 'room');
    assert.deepEqual(sorted(await worker.presence.getGroupConnections('room')), sorted([leaving.id, staying.id]));
    const id = leaving.id;
    await leaving.stop();
    await eventually(() => worker.presence.getUserConnections('carol'), [staying.id], 'carol after disconnect');
    assert.deepEqual(await worker.presence.getGroupConnections('room'), [staying.id]);
    assert.deepEqual(await worker.presence.getConnectionGroups(id), []);
    assert.equal(await worker.presence.getConnection(id), undefined);
  });

  it('counts nodes, connections, users, groups and memberships for metrics', async () => {
    const a1 = await open(nodeA, 'dan');
    const a2 = await open(nodeA, 'erin');
    const b1 = await open(nodeB, 'dan');
    await open(nodeB);
    await a1.connection.invoke('Join', 'g1');
    await b1.connection.invoke('Join', 'g1');
    await a2.connection.invoke('Join', 'g2');
    const expected: PresenceStats = { nodes: 2, connections: 4, users: 2, groups: 2, groupMemberships: 3 };
    await eventually(() => worker.presence.getStats(), expected, 'stats');
    const nodes = await worker.presence.getNodes();
    assert.deepEqual(nodes.map((n) => [n.nodeId, n.connections]).sort(), [['node-a', 2], ['node-b', 2]]);
    assert.ok(nodes.every((n) => Date.now() - n.lastHeartbeatAt.getTime() < 60_000));
  });

  it('writes each node’s share back when Redis loses its data, and sends keep flowing', async () => {
    const a1 = await open(nodeA, 'fay');
    const b1 = await open(nodeB, 'fay');
    await a1.connection.invoke('Join', 'kept');
    const before = await worker.presence.getStats();
    reregistered.length = 0;
    await raw.flushall();
    // Each node finds on its next heartbeat (every 100 ms) that Redis lost it: reading the empty view in between would race that.
    await eventually(async () => sorted(reregistered), ['node-a', 'node-b'], 'both nodes to find themselves lost');
    await eventually(() => worker.presence.getStats(), before, 'stats after the nodes resynchronized');
    assert.deepEqual(sorted(await worker.presence.getUserConnections('fay')), sorted([a1.id, b1.id]));
    assert.deepEqual(await worker.presence.getConnectionGroups(a1.id), ['kept']);
    await b1.connection.invoke('SendGroup', 'kept', 'after flush');
    await assertReceived(b1, new Map([[a1, ['after flush']]]));
  });

  it('a node that shuts down removes its entries at once', async () => {
    const nodeC = await startApiNode({ redisUrl: redis.url, nodeId: 'node-c', heartbeatIntervalMs: 60_000, nodeTimeoutMs: 600_000 });
    try {
      const c1 = await openClient(nodeC.url, { user: 'gus', reconnect: false });
      await c1.connection.invoke('Join', 'gone');
      assert.deepEqual(await worker.presence.getUserConnections('gus'), [c1.id]);
      await nodeC.close();
      // No heartbeat or timeout elapsed: the shutdown itself cleaned up.
      assert.deepEqual(await worker.presence.getUserConnections('gus'), []);
      assert.deepEqual(await worker.presence.getGroupConnections('gone'), []);
      assert.ok(!(await worker.presence.getNodes()).some((n) => n.nodeId === 'node-c'));
      await c1.stop();
    } finally {
      await nodeC.close();
    }
  });
});
