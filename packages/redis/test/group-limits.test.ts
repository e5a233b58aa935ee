import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { type ApiNode, startApiNode } from './fixtures/api-node.js';
import { type TestClient, assertReceived, openClient, stopAll } from './support/clients.js';

describe('group limits hold through the Redis backplane', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let nodeA: ApiNode;
  let nodeB: ApiNode;
  const opened: TestClient[] = [];

  async function open(node: ApiNode): Promise<TestClient> {
    const client = await openClient(node.url);
    opened.push(client);
    return client;
  }

  before(async () => {
    redis = await startRedisServer();
    const hubOptions = { maxGroupsPerConnection: 2, maxGroupNameLength: 8 };
    [nodeA, nodeB] = await Promise.all([
      startApiNode({ redisUrl: redis.url, nodeId: 'node-a', hubOptions }),
      startApiNode({ redisUrl: redis.url, nodeId: 'node-b', hubOptions }),
    ]);
  });
  afterEach(() => stopAll(opened.splice(0)));
  after(async () => {
    await Promise.allSettled([nodeA?.close(), nodeB?.close()]);
    await redis?.stop();
  });

  it('a join past the limit is refused on the node holding the connection, from either node, and joins nothing', async () => {
    const member = await open(nodeA);
    const sender = await open(nodeB);
    await member.connection.invoke('Join', 'g1');
    await member.connection.invoke('Join', 'g2');
    await assert.rejects(member.connection.invoke('Join', 'g3'), /HubException: Cannot join group 'g3': the connection is already in 2 groups, the most allowed\./);
    // Routed through Redis to node A, which refuses it the same way.
    await assert.rejects(sender.connection.invoke('AddToGroup', member.id, 'g4'), /Cannot join group 'g4': the connection is already in 2 groups/);
    await assert.rejects(sender.connection.invoke('AddToGroup', member.id, 'much-too-long'), /longer than 8 characters/);
    for (const group of ['g3', 'g4']) await sender.connection.invoke('SendGroup', group, `to ${group}`);
    await sender.connection.invoke('SendGroup', 'g2', 'to g2');
    await assertReceived(sender, new Map([[member, ['to g2']], [sender, []]]));
  });
});
