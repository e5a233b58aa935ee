import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HubMetrics } from '@tidings/hub';
import { Registry } from 'prom-client';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { until } from '../../../test-support/until.js';
import { BackplaneMetrics } from '../src/index.js';
import { type ApiNode, HUB_NAME, HUB_PATH, startApiNode } from './fixtures/api-node.js';
import { type TestClient, WS_MSGPACK, assertReceived, openClient, range, stopAll } from './support/clients.js';

/** One sample of a series (a histogram's `_count` with `suffix`); 0 before it appears. */
async function sample(registry: Registry, name: string, labels: Record<string, string>, suffix = ''): Promise<number> {
  const metric = registry.getSingleMetric(name);
  assert.ok(metric, `${name} is registered`);
  const { values } = await metric.get();
  const found = values.find(
    (v) =>
      (suffix === '' || (v as { metricName?: string }).metricName === `${name}${suffix}`) &&
      Object.entries(labels).every(([k, value]) => v.labels[k] === value),
  );
  return found?.value ?? 0;
}

describe('Redis backplane metrics: two nodes, one Redis', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let nodeA: ApiNode;
  let nodeB: ApiNode;
  // Each node its own registry, as separate processes would have.
  const registryA = new Registry();
  const registryB = new Registry();
  const opened: TestClient[] = [];

  before(async () => {
    redis = await startRedisServer();
    [nodeA, nodeB] = await Promise.all([
      startApiNode({
        redisUrl: redis.url,
        nodeId: 'node-a',
        metrics: new BackplaneMetrics({ registry: registryA }),
        hubOptions: { metrics: new HubMetrics({ registry: registryA }) },
      }),
      startApiNode({ redisUrl: redis.url, nodeId: 'node-b', metrics: new BackplaneMetrics({ registry: registryB }) }),
    ]);
  });
  after(async () => {
    await stopAll(opened.splice(0));
    await Promise.allSettled([nodeA?.close(), nodeB?.close()]);
    await redis?.stop();
  });

  it('counts publishes on the sending node, receives and delivery lag on the receiving one', async () => {
    const member = await openClient(nodeA.url);
    const sender = await openClient(nodeB.url, { clientCase: WS_MSGPACK });
    opened.push(member, sender);
    await member.connection.invoke('Join', 'g');
    assert.equal(await sample(registryA, 'signalr_server_group_memberships', { hub: HUB_PATH }), 1, "the hub's groups on the Redis manager");

    const hub = { hub: HUB_NAME };
    const before = {
      published: await sample(registryB, 'tidings_backplane_publishes_total', hub),
      received: await sample(registryA, 'tidings_backplane_messages_received_total', hub),
      lags: await sample(registryA, 'tidings_backplane_delivery_lag_seconds', hub, '_count'),
      receivedByB: await sample(registryB, 'tidings_backplane_messages_received_total', hub),
    };
    const sent = range(5, 'g');
    for (const payload of sent) await sender.connection.invoke('SendGroup', 'g', payload);
    await assertReceived(sender, new Map([[member, sent]]));

    // Five group sends and assertReceived's sentinel to the member: each published once by B, to a
    // channel (the group's, the member connection's) that only A subscribes to.
    assert.equal(await sample(registryB, 'tidings_backplane_publishes_total', hub), before.published + 6);
    assert.equal(await sample(registryA, 'tidings_backplane_messages_received_total', hub), before.received + 6);
    assert.equal(await sample(registryA, 'tidings_backplane_delivery_lag_seconds', hub, '_count'), before.lags + 6);
    assert.ok((await sample(registryA, 'tidings_backplane_delivery_lag_seconds', hub, '_sum')) >= 0);
    assert.equal(await sample(registryB, 'tidings_backplane_messages_received_total', hub), before.receivedByB);
    assert.equal(await sample(registryB, 'tidings_backplane_publish_failures_total', hub), 0);

    for (const registry of [registryA, registryB]) {
      for (const role of ['commands', 'subscriber']) {
        assert.equal(await sample(registry, 'tidings_backplane_redis_connected', { ...hub, role }), 1, `${role} connected`);
      }
    }
  });

  it('reports the Redis connections down while Redis is away and up when it is back, and failed publishes', async () => {
    const hub = { hub: HUB_NAME };
    const roles = async () => [
      await sample(registryB, 'tidings_backplane_redis_connected', { ...hub, role: 'commands' }),
      await sample(registryB, 'tidings_backplane_redis_connected', { ...hub, role: 'subscriber' }),
    ];
    const failuresBefore = await sample(registryB, 'tidings_backplane_publish_failures_total', hub);
    const sender = await openClient(nodeB.url);
    opened.push(sender);
    await redis.shutdown();
    try {
      await until(roles, ([commands, subscriber]) => commands === 0 && subscriber === 0, 'the gauge to drop');
      await assert.rejects(sender.connection.invoke('SendAll', 'lost'));
      assert.equal(await sample(registryB, 'tidings_backplane_publish_failures_total', hub), failuresBefore + 1);
    } finally {
      await redis.restart();
    }
    await until(roles, ([commands, subscriber]) => commands === 1 && subscriber === 1, 'the gauge to come back', 15_000);
  });
});
