import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { HubLogger } from '@tidings/hub';
import { Redis } from 'ioredis';
import { delay } from '../../hub/test/support/wait.js';
import { type RedisServer, freePort, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { BackplaneUnavailableError, type RedisHubContext, RedisHubLifetimeManager, createRedisHubContext } from '../src/index.js';
import { type ApiNode, HUB_NAME, startApiNode } from './fixtures/api-node.js';
import { LONG_POLLING, SSE, type TestClient, WS_MSGPACK, assertReceived, openClient, range, stopAll } from './support/clients.js';

describe('Redis backplane: two nodes, one Redis', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let nodeA: ApiNode;
  let nodeB: ApiNode;
  let raw: Redis;
  const warnings: string[] = [];
  const capture: HubLogger = { debug() {}, info() {}, warn: (_data, message) => warnings.push(message ?? ''), error: (_data, message) => warnings.push(message ?? '') };
  const opened: TestClient[] = [];

  async function open(node: ApiNode, options: Parameters<typeof openClient>[1] = {}): Promise<TestClient> {
    const client = await openClient(node.url, options);
    opened.push(client);
    return client;
  }

  before(async () => {
    redis = await startRedisServer();
    [nodeA, nodeB] = await Promise.all([
      startApiNode({ redisUrl: redis.url, nodeId: 'node-a', ackTimeoutMs: 500, logger: capture }),
      startApiNode({ redisUrl: redis.url, nodeId: 'node-b', ackTimeoutMs: 500 }),
    ]);
    raw = new Redis(redis.url);
  });
  afterEach(() => stopAll(opened.splice(0)));
  after(async () => {
    raw?.disconnect();
    await Promise.allSettled([nodeA?.close(), nodeB?.close()]);
    await redis?.stop();
  });

  it('a group send from node B reaches the members on both nodes once each, in order', async () => {
    const a1 = await open(nodeA);
    const a2 = await open(nodeA, { clientCase: LONG_POLLING });
    const b1 = await open(nodeB, { clientCase: WS_MSGPACK });
    const sender = await open(nodeB);
    await a1.connection.invoke('Join', 'g');
    await a2.connection.invoke('Join', 'g');
    await b1.connection.invoke('Join', 'g');
    const sent = range(30, 'g');
    await Promise.all(sent.map((m) => sender.connection.invoke('SendGroup', 'g', m)));
    await assertReceived(sender, new Map([[a1, sent], [a2, sent], [b1, sent], [sender, []]]));
  });

  it('a send through the local view reaches only the sending node’s members; joins still route across nodes', async () => {
    const a1 = await open(nodeA);
    const b1 = await open(nodeB, { clientCase: WS_MSGPACK });
    const b2 = await open(nodeB, { clientCase: LONG_POLLING });
    const sender = await open(nodeB);
    await a1.connection.invoke('Join', 'local');
    await b1.connection.invoke('Join', 'local');
    await sender.connection.invoke('AddToGroup', b2.id, 'local');
    await sender.connection.invoke('SendGroupLocal', 'local', 'here');
    await sender.connection.invoke('SendGroup', 'local', 'everywhere');
    await assertReceived(sender, new Map([[a1, ['everywhere']], [b1, ['here', 'everywhere']], [b2, ['here', 'everywhere']], [sender, []]]));
  });

  it('all, allExcept and others reach every node, skipping the excluded and the caller', async () => {
    const a1 = await open(nodeA);
    const a2 = await open(nodeA, { clientCase: SSE });
    const b1 = await open(nodeB, { clientCase: WS_MSGPACK });
    const sender = await open(nodeB);
    await sender.connection.invoke('SendAll', 'x');
    await sender.connection.invoke('SendAllExcept', [a1.id, b1.id], 'y');
    await sender.connection.invoke('SendOthers', 'z');
    await assertReceived(sender, new Map([[a1, ['x', 'z']], [a2, ['x', 'y', 'z']], [b1, ['x', 'z']], [sender, ['x', 'y']]]));
  });

  it('groupExcept and othersInGroup leave out the excluded on every node', async () => {
    const a1 = await open(nodeA);
    const b1 = await open(nodeB);
    const sender = await open(nodeB);
    for (const c of [a1, b1, sender]) await c.connection.invoke('Join', 'h');
    await sender.connection.invoke('SendGroupExcept', 'h', [a1.id], 'p');
    await sender.connection.invoke('SendOthersInGroup', 'h', 'q');
    await assertReceived(sender, new Map([[a1, ['q']], [b1, ['p', 'q']], [sender, ['p']]]));
  });

  it('groups([...]) reaches a connection in several of the groups once, on both nodes', async () => {
    const a1 = await open(nodeA);
    const a2 = await open(nodeA);
    const b1 = await open(nodeB);
    const sender = await open(nodeB);
    await a1.connection.invoke('Join', 'g1');
    await a1.connection.invoke('Join', 'g2');
    await b1.connection.invoke('Join', 'g2');
    await b1.connection.invoke('Join', 'g3');
    await a2.connection.invoke('Join', 'g3');
    await sender.connection.invoke('SendGroups', ['g1', 'g2', 'g3', 'g2'], 'm');
    await sender.connection.invoke('SendGroups', ['g3'], 'n');
    await assertReceived(sender, new Map([[a1, ['m']], [a2, ['m', 'n']], [b1, ['m', 'n']], [sender, []]]));
  });

  it('user and users reach every connection of each user on every node', async () => {
    const aliceA = await open(nodeA, { user: 'alice' });
    const aliceB = await open(nodeB, { user: 'alice', clientCase: WS_MSGPACK });
    const bob = await open(nodeA, { user: 'bob' });
    const carol = await open(nodeB, { user: 'carol' });
    await carol.connection.invoke('SendUser', 'alice', 'u1');
    await carol.connection.invoke('SendUsers', ['alice', 'bob', 'alice'], 'u2');
    await carol.connection.invoke('SendUser', 'nobody', 'u3');
    await assertReceived(carol, new Map([[aliceA, ['u1', 'u2']], [aliceB, ['u1', 'u2']], [bob, ['u2']], [carol, []]]));
  });

  it('client(id) and clients([...]) address connections on the other node', async () => {
    const a1 = await open(nodeA);
    const a2 = await open(nodeA);
    const b1 = await open(nodeB);
    const sender = await open(nodeB);
    await sender.connection.invoke('SendClient', a1.id, 'c1');
    await sender.connection.invoke('SendClients', [a1.id, b1.id, a2.id, a1.id], 'c2');
    await sender.connection.invoke('SendClients', [a2.id], 'c3');
    await assertReceived(sender, new Map([[a1, ['c1', 'c2']], [a2, ['c2', 'c3']], [b1, ['c2']], [sender, []]]));
  });

  it('a group change made on node B for a connection on node A holds when the call returns', async () => {
    const a1 = await open(nodeA);
    const sender = await open(nodeB);
    await sender.connection.invoke('AddToGroup', a1.id, 'remote');
    await sender.connection.invoke('SendGroup', 'remote', 'in');
    assert.deepEqual(await nodeB.manager.presence.getConnectionGroups(a1.id), ['remote']);
    await sender.connection.invoke('RemoveFromGroup', a1.id, 'remote');
    await sender.connection.invoke('SendGroup', 'remote', 'out');
    await assertReceived(sender, new Map([[a1, ['in']]]));
    assert.deepEqual(await nodeB.manager.presence.getConnectionGroups(a1.id), []);
    // Unknown connections are ignored, as in ASP.NET Core.
    await sender.connection.invoke('AddToGroup', 'no-such-connection', 'remote');
  });

  it('a group change for a connection whose node does not answer fails with a clear error', async () => {
    const sender = await open(nodeB);
    const base = `tidings:${HUB_NAME}:`;
    await raw.hset(`${base}connection:ghost`, 'node', 'gone-node');
    await raw.hset(`${base}connection:mute`, 'node', 'mute-node');
    // Something listens on the mute node's channel but never acknowledges.
    const listener = new Redis(redis.url);
    try {
      await listener.subscribe(`${base}node:mute-node`);
      await assert.rejects(sender.connection.invoke('AddToGroup', 'ghost', 'x'), /on node 'gone-node', which is not listening/);
      await assert.rejects(sender.connection.invoke('AddToGroup', 'mute', 'x'), /Node 'mute-node' did not confirm adding connection 'mute' to group 'x' within 500 ms/);
    } finally {
      listener.disconnect();
      await raw.del(`${base}connection:ghost`, `${base}connection:mute`);
    }
  });

  it('client results cross nodes: the answer, the client’s error, a timeout, a vanished connection', async () => {
    const answering = await open(nodeA);
    const failing = await open(nodeA);
    const silent = await open(nodeA);
    const leaving = await open(nodeA);
    const caller = await open(nodeB);
    answering.connection.on('Ask', (question: string) => `answer to ${question}`);
    failing.connection.on('Ask', () => {
      throw new Error('client says no');
    });
    silent.connection.on('Ask', () => new Promise(() => {}));
    let asked!: () => void;
    const leavingAsked = new Promise<void>((resolve) => (asked = resolve));
    leaving.connection.on('Ask', () => {
      asked();
      return new Promise(() => {});
    });

    assert.equal(await caller.connection.invoke('Ask', answering.id, 'life', 5000), 'answer to life');
    await assert.rejects(caller.connection.invoke('Ask', failing.id, 'q', 5000), /client says no/);
    await assert.rejects(caller.connection.invoke('Ask', silent.id, 'q', 300), /did not return a result for 'Ask' within 300 ms/);
    await assert.rejects(caller.connection.invoke('Ask', 'no-such-connection', 'q', 1000), /Connection 'no-such-connection' does not exist/);
    const pending = caller.connection.invoke('Ask', leaving.id, 'q', 10_000);
    // Leaves once the question has reached it (leaving before would be a connection that does not exist).
    await leavingAsked;
    await leaving.stop();
    await assert.rejects(pending, /disconnected before the client returned a result/);
  });

  it('drops malformed messages on its channels and keeps delivering', async () => {
    const a1 = await open(nodeA);
    const sender = await open(nodeB);
    await a1.connection.invoke('Join', 'm');
    await raw.publish(`tidings:${HUB_NAME}:all`, 'not messagepack \u00c1');
    await raw.publish(`tidings:${HUB_NAME}:group:m`, Buffer.from([0x93, 0x63, 0x01, 0x02]));
    await sender.connection.invoke('SendGroup', 'm', 'still here');
    await assertReceived(sender, new Map([[a1, ['still here']]]));
    assert.ok(warnings.filter((w) => w === 'dropped a malformed backplane message').length >= 2, `warnings: ${warnings.join(', ')}`);
  });

  it('rejects bad names with a clear error and delivers nothing', async () => {
    const a1 = await open(nodeA);
    const sender = await open(nodeB);
    await assert.rejects(sender.connection.invoke('SendGroup', '', 'x'), /groupName must be a non-empty string/);
    await assert.rejects(sender.connection.invoke('SendGroups', ['ok', 5], 'x'), /each of groupNames must be a non-empty string/);
    await assert.rejects(sender.connection.invoke('SendClients', 'not-a-list', 'x'), /connectionIds must be an array/);
    await assertReceived(sender, new Map([[a1, []]]));
    assert.throws(() => new RedisHubLifetimeManager({ redis: redis.url, hub: '' }), /'hub' must be a non-empty string/);
    assert.throws(
      () => new RedisHubLifetimeManager({ redis: redis.url, hub: 'h', heartbeatIntervalMs: 1000, nodeTimeoutMs: 500 }),
      /must exceed 'heartbeatIntervalMs'/,
    );
  });

  it('without a reachable Redis, sends fail after connectTimeoutMs and the outage is logged once per connection', async () => {
    const logged: string[] = [];
    const logger: HubLogger = { debug() {}, info() {}, warn: (_d, m) => logged.push(m ?? ''), error: (_d, m) => logged.push(m ?? '') };
    const nowhere = createRedisHubContext({
      redis: `redis://127.0.0.1:${await freePort()}`,
      hub: HUB_NAME,
      connectTimeoutMs: 300,
      redisOptions: { retryStrategy: () => 30 },
      logger,
    });
    try {
      await assert.rejects(nowhere.clients.group('g').send('Message', 'x'), /Could not connect to Redis within 300 ms/);
      await assert.rejects(nowhere.presence.getStats(), BackplaneUnavailableError);
    } finally {
      await nowhere.close();
    }
    assert.deepEqual(logged, ['Redis connection error; retrying', 'Redis connection error; retrying']);
  });

  describe('a hub context in a process with only Redis', () => {
    let worker: RedisHubContext;
    before(async () => {
      worker = createRedisHubContext({ redis: redis.url, hub: HUB_NAME });
      await worker.ready();
    });
    after(() => worker?.close());

    it('sends to groups, users and connections on both nodes, encoding like a local send', async () => {
      const a1 = await open(nodeA, { user: 'wendy' });
      const b1 = await open(nodeB, { clientCase: WS_MSGPACK, user: 'wendy' });
      const sender = await open(nodeB);
      await a1.connection.invoke('Join', 'w');
      await b1.connection.invoke('Join', 'w');
      await worker.clients.group('w').send('Message', { at: new Date(0), bytes: Buffer.from([1, 2, 3]), text: 'é', n: 1.5, list: [1, null] });
      await worker.clients.user('wendy').send('Message', 'to wendy');
      await worker.clients.client(a1.id).send('Message', 'to a1');
      await worker.clients.groups(['w', 'nobody']).send('Message', 'to groups');
      await worker.clients.allExcept([b1.id, sender.id]).send('Message', 'all but');
      const dto = { text: 'é', n: 1.5, list: [1, null] };
      await assertReceived(
        sender,
        new Map<TestClient, unknown[]>([
          [a1, [{ ...dto, at: '1970-01-01T00:00:00Z', bytes: 'AQID' }, 'to wendy', 'to a1', 'to groups', 'all but']],
          [b1, [{ ...dto, at: new Date(0), bytes: new Uint8Array([1, 2, 3]) }, 'to wendy', 'to groups']],
          [sender, []],
        ]),
      );
    });

    it('changes groups and gets client results for connections on any node', async () => {
      const a1 = await open(nodeA);
      const b1 = await open(nodeB);
      b1.connection.on('Ask', (question: string) => question.toUpperCase());
      await worker.groups.addToGroup(a1.id, 'jobs');
      await worker.groups.addToGroup(b1.id, 'jobs');
      await worker.clients.group('jobs').send('Message', 'both');
      await worker.groups.removeFromGroup(b1.id, 'jobs');
      await worker.clients.group('jobs').send('Message', 'a only');
      await assertReceived(a1, new Map([[a1, ['both', 'a only']], [b1, ['both']]]));
      assert.equal(await worker.clients.client(b1.id).invoke('Ask', 'shout'), 'SHOUT');
      await assert.rejects(worker.clients.client('nobody').invoke('Ask', 'x'), /Connection 'nobody' does not exist/);
      await assert.rejects(worker.clients.group('').send('Message', 'x'), /groupName must be a non-empty string/);
      const silent = await open(nodeB);
      silent.connection.on('Ask', () => new Promise(() => {}));
      const controller = new AbortController();
      const canceled = worker.clients.client(silent.id).invokeWithOptions({ signal: controller.signal }, 'Ask', 'wait');
      controller.abort();
      await assert.rejects(canceled, /canceled/);
    });

    it('a client result canceled while its command is still on the way to Redis rejects, and nothing is left unhandled', async () => {
      const b1 = await open(nodeB);
      b1.connection.on('Ask', () => new Promise(() => {}));
      const controller = new AbortController();
      // Redis holds the PUBLISH of the command unanswered.
      await raw.client('PAUSE', 2000, 'WRITE');
      try {
        const canceled = worker.clients.client(b1.id).invokeWithOptions({ signal: controller.signal }, 'Ask', 'wait');
        await delay(200);
        controller.abort();
        await assert.rejects(canceled, /canceled/);
      } finally {
        await raw.client('UNPAUSE');
      }
    });

    it('a client result whose arguments cannot travel rejects at once and leaves no request behind', async () => {
      const b1 = await open(nodeB);
      const quick = createRedisHubContext({ redis: redis.url, hub: HUB_NAME, ackTimeoutMs: 50 });
      try {
        await assert.rejects(quick.clients.client(b1.id).invokeWithOptions({ timeoutMs: 50 }, 'Ask', 10n), /Unrecognized object/);
        // A request left pending would time out now, with nobody to hear it.
        await delay(300);
      } finally {
        await quick.close();
      }
    });
  });
});
