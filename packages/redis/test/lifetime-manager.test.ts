import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LifetimeConnection, MessageType, SerializedMessage, silentLogger } from '@tidings/hub';
import { Redis } from 'ioredis';
import { delay, waitFor, within } from '../../hub/test/support/wait.js';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { startTcpProxy } from '../../../test-support/tcp-proxy.js';
import { until } from '../../../test-support/until.js';
import { BackplaneUnavailableError, RedisHubLifetimeManager, createRedisHubContext } from '../src/index.js';

/**
 * The manager's contract seen from the hub's side: what each connection object
 * is handed. (End-to-end behaviour with the official client is in the other suites.)
 */
class RecordingConnection implements LifetimeConnection {
  readonly written: SerializedMessage[] = [];
  constructor(
    readonly connectionId: string,
    readonly userIdentifier: string | undefined = undefined,
  ) {}
  write(message: SerializedMessage): void {
    this.written.push(message);
  }
  invokeClient(): Promise<unknown> {
    return Promise.resolve(null);
  }
}

function invocation(text: string): SerializedMessage {
  return new SerializedMessage({ type: MessageType.Invocation, target: 'Message', arguments: [text] });
}

describe('RedisHubLifetimeManager seen from the hub', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let nodeA: RedisHubLifetimeManager;
  let nodeB: RedisHubLifetimeManager;

  before(async () => {
    redis = await startRedisServer();
    nodeA = new RedisHubLifetimeManager({ redis: redis.url, hub: 'h', nodeId: 'a' });
    nodeB = new RedisHubLifetimeManager({ redis: redis.url, hub: 'h', nodeId: 'b' });
    await Promise.all([nodeA.ready(), nodeB.ready()]);
  });
  after(async () => {
    await Promise.allSettled([nodeA?.dispose(), nodeB?.dispose()]);
    await redis?.stop();
  });

  it('hands one SerializedMessage to all recipients of a node, once each, however many groups they share', async () => {
    const onB = [new RecordingConnection('b1'), new RecordingConnection('b2'), new RecordingConnection('b3')];
    for (const c of onB) await nodeB.onConnected(c);
    await nodeB.addToGroup('b1', 'g1');
    await nodeB.addToGroup('b1', 'g2');
    await nodeB.addToGroup('b2', 'g2');
    await nodeB.addToGroup('b3', 'g3');
    await nodeA.sendGroups(['g1', 'g2', 'g3'], invocation('x'));
    await nodeA.sendGroup('g2', invocation('y'));
    // 'y' left node A after 'x': once it has arrived, any second copy of 'x' would have too.
    await waitFor(() => onB[0]!.written.length === 2 && onB[1]!.written.length === 2, 3000, 'deliveries on node B');
    const [first] = onB[0]!.written;
    assert.ok(onB.every((c) => c.written[0] === first), 'the same SerializedMessage object for every recipient');
    assert.deepEqual(first!.message, { type: MessageType.Invocation, target: 'Message', arguments: ['x'] });
    assert.equal(onB[0]!.written[1], onB[1]!.written[1]);
    assert.deepEqual(
      onB.map((c) => c.written.length),
      [2, 2, 1],
    );
    for (const c of onB) await nodeB.onDisconnected(c);
  });

  it('unsubscribes a group channel when its last member on the node leaves', async () => {
    const probe = new Redis(redis.url);
    try {
      const c = new RecordingConnection('solo');
      await nodeB.onConnected(c);
      await nodeB.addToGroup('solo', 'lonely');
      assert.deepEqual(await probe.pubsub('NUMSUB', 'tidings:h:group:lonely'), ['tidings:h:group:lonely', 1]);
      await nodeB.removeFromGroup('solo', 'lonely');
      const subscribers = async (): Promise<number> => Number(((await probe.pubsub('NUMSUB', 'tidings:h:group:lonely')) as unknown[])[1]);
      await until(subscribers, (n) => n === 0, 'the group channel to be unsubscribed');
      await nodeB.onDisconnected(c);
      const channels = (await probe.pubsub('CHANNELS', 'tidings:h:connection:*')) as string[];
      assert.ok(!channels.includes('tidings:h:connection:solo'), 'the connection channel is released on disconnect');
    } finally {
      probe.disconnect();
    }
  });

  it('a command cut off by a dropped connection fails at once, and nothing after the reconnect waits behind it', async () => {
    const probe = new Redis(redis.url);
    // Long command timeout: only the disconnect itself may fail what was in flight.
    const node = new RedisHubLifetimeManager({
      redis: redis.url,
      hub: 'h',
      nodeId: 'cut',
      heartbeatIntervalMs: 50,
      nodeTimeoutMs: 60_000,
      commandTimeoutMs: 60_000,
      redisOptions: { connectionName: 'cut-node', retryStrategy: () => 20 },
    });
    try {
      await node.ready();
      const c = new RecordingConnection('cut-1');
      await node.onConnected(c);
      // Redis holds every write unanswered (the node's heartbeat script, a publish), then the node's connections are cut.
      await probe.client('PAUSE', 5000, 'WRITE');
      const sendFailed = assert.rejects(node.sendGroup('anyone', invocation('cut off')), BackplaneUnavailableError);
      await delay(200);
      const clients = (await probe.client('LIST')) as string;
      for (const line of clients.split('\n').filter((l) => l.includes(' name=cut-node '))) {
        await probe.client('KILL', 'ID', /^id=(\d+)/.exec(line)![1]!);
      }
      await probe.client('UNPAUSE');
      await within(sendFailed, 2000, 'the cut-off send to fail');
      await waitFor(() => node.connected, 3000, 'the node to reconnect');
      // ioredis runs one auto-pipeline at a time: a lost command left pending would hold up every later one.
      await within(node.sendGroup('anyone', invocation('after the cut')), 2000, 'a send after the reconnect');
      await node.addToGroup('cut-1', 'after-cut');
      // The node re-registered its connection, and the membership made since.
      const groups = await until(() => node.presence.getConnectionGroups('cut-1'), (names) => names.length > 0, 'the membership in the cluster view');
      assert.deepEqual(groups, ['after-cut']);
      await node.onDisconnected(c);
    } finally {
      await probe.client('UNPAUSE').catch(() => undefined);
      probe.disconnect();
      await node.dispose();
    }
  });

  it('does not subscribe again on reconnect a channel its node left during the outage', async () => {
    const proxy = await startTcpProxy(redis.port);
    const probe = new Redis(redis.url);
    const node = new RedisHubLifetimeManager({
      redis: `redis://127.0.0.1:${proxy.port}`,
      hub: 'h',
      nodeId: 'blip',
      redisOptions: { retryStrategy: () => 20 },
      logger: silentLogger,
    });
    try {
      await node.ready();
      const c = new RecordingConnection('blip-1');
      await node.onConnected(c);
      // Redis answers nothing for a while: the join's SUBSCRIBE is still on its way when the connection drops.
      await probe.client('PAUSE', 500, 'ALL');
      const joined = node.addToGroup('blip-1', 'left-in-outage');
      await delay(100);
      proxy.dropConnections();
      await joined;
      await node.removeFromGroup('blip-1', 'left-in-outage');
      await waitFor(() => node.connected, 5000, 'the node to reconnect');
      const channel = 'tidings:h:group:left-in-outage';
      assert.deepEqual(await probe.pubsub('NUMSUB', channel), [channel, 0]);
      await node.onDisconnected(c);
    } finally {
      probe.disconnect();
      await node.dispose();
      await proxy.close();
    }
  });

  it('accepts an ioredis client, duplicates it, and leaves it open on close', async () => {
    const mine = new Redis(redis.url);
    try {
      const c = new RecordingConnection('dup');
      await nodeA.onConnected(c);
      const context = createRedisHubContext({ redis: mine, hub: 'h' });
      await context.clients.client('dup').send('Message', 'via a duplicated client');
      await context.close();
      await waitFor(() => c.written.length === 1, 3000, 'the delivery');
      assert.equal(mine.status, 'ready');
      assert.equal(await mine.ping(), 'PONG');
      await nodeA.onDisconnected(c);
    } finally {
      mine.disconnect();
    }
  });
});
