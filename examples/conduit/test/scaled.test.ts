import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { killOnExit } from '../../../test-support/processes.js';
import { type ServiceProcess, spawnService } from '../../../packages/server/test/support/process.js';
import { MASTER_KEY, TRANSPORT_CASES, closed, connect, eventually, record, type signalR, tempDir, waitFor } from './support/conduit-service.js';

/** Short waits for acknowledgements and a spend window long enough for two requests through two nodes. */
const CONDUIT_TEST_OPTIONS = { retryPolicy: { ackTimeoutMs: 1000, backoffMultiplier: 2, maxAttempts: 3 }, spendWindowMs: 2000 };

interface Reply {
  readonly status: number;
  readonly body: any;
}

/** JSON over HTTP against one node, with a Conduit key. */
async function http(node: ServiceProcess, path: string, options: { token?: string; body?: unknown; method?: string } = {}): Promise<Reply> {
  const response = await fetch(`${node.url}${path}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe('Conduit in scaled mode: two API nodes as processes on one redis-server', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let nodeA: ServiceProcess;
  let nodeB: ServiceProcess;
  const dataDirs = tempDir();
  const connections: signalR.HubConnection[] = [];

  async function hub(node: ServiceProcess, path: string, key: string): Promise<signalR.HubConnection> {
    const connection = await connect(`${node.url}${path}`, TRANSPORT_CASES[0]!, { accessToken: key });
    connections.push(connection);
    return connection;
  }

  async function issueKey(node: ServiceProcess, name: string): Promise<{ id: string; key: string }> {
    const issued = await http(node, '/api/conduit/admin/virtual-keys', { body: { name }, token: MASTER_KEY });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    return issued.body;
  }

  async function startVideo(node: ServiceProcess, key: string, prompt: string): Promise<string> {
    const started = await http(node, '/api/conduit/videos/generations', { body: { prompt }, token: key });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    return started.body.requestId as string;
  }

  const metrics = async (node: ServiceProcess) => (await http(node, '/api/conduit/admin/metrics', { token: MASTER_KEY })).body;

  before(async () => {
    redis = await startRedisServer();
    const env = {
      REDIS_URL: redis.url,
      ROLE: 'all',
      DEMO_SPEED: '20',
      LOG_LEVEL: 'warn',
      CONDUIT_MASTER_KEY: MASTER_KEY,
      TIDINGS_PLUGINS: './examples/conduit/test/support/scaled-conduit-plugin.ts',
      CONDUIT_TEST_OPTIONS: JSON.stringify(CONDUIT_TEST_OPTIONS),
    };
    [nodeA, nodeB] = await Promise.all([spawnService({ ...env, DATA_DIR: join(dataDirs.path, 'a') }), spawnService({ ...env, DATA_DIR: join(dataDirs.path, 'b') })]);
    killOnExit(nodeA.child);
    killOnExit(nodeB.child);
  });

  after(async () => {
    await Promise.allSettled(connections.map((c) => c.stop()));
    nodeA?.kill();
    nodeB?.kill();
    await Promise.allSettled([nodeA?.exited, nodeB?.exited]);
    await redis?.stop();
    dataDirs.cleanup();
  });

  it('a key issued on node A authenticates on node B; revoked through A, B refuses it and closes its connections', async () => {
    const { id, key } = await issueKey(nodeA, 'across');
    const onB = await hub(nodeB, '/hubs/spend-notifications', key);
    assert.equal((await http(nodeB, '/api/conduit/spend', { token: key })).status, 200);
    const listedOnB = (await http(nodeB, '/api/conduit/admin/virtual-keys', { token: MASTER_KEY })).body.virtualKeys as { id: string; key?: string }[];
    assert.ok(listedOnB.some((k) => k.id === id && k.key === undefined), 'B lists the key (never the key itself)');
    const keys = await redisKeysHolding(key);
    assert.deepEqual(keys, [], 'Redis holds no copy of the key itself');

    const ended = closed(onB);
    assert.equal((await http(nodeA, `/api/conduit/admin/virtual-keys/${id}`, { method: 'DELETE', token: MASTER_KEY })).status, 200);
    await ended;
    await assert.rejects(hub(nodeB, '/hubs/spend-notifications', key), /401/);
    assert.equal((await http(nodeB, '/api/conduit/spend', { token: key })).status, 401);
  });

  it('a critical message delivered through B and acknowledged through A is settled once and not re-sent; a finished task is billed once', async () => {
    const { key } = await issueKey(nodeA, 'acknowledging');
    const videosOnB = await hub(nodeB, '/hubs/video-generation', key);
    const tasksOnA = await hub(nodeA, '/hubs/tasks', key);
    const completed = record<Record<string, unknown>>(videosOnB, 'VideoCompleted');
    const spend = record<Record<string, number>>(await hub(nodeA, '/hubs/spend-notifications', key), 'SpendUpdate');
    const acknowledged = await startVideo(nodeA, key, 'acknowledged through A');
    const ignored = await startVideo(nodeA, key, 'never acknowledged');
    await videosOnB.invoke('SubscribeToVideoGeneration', acknowledged);
    await videosOnB.invoke('SubscribeToVideoGeneration', ignored);
    const of = (requestId: string) => completed.filter((m) => m.requestId === requestId);

    await waitFor(() => of(acknowledged).length === 1, 20_000, 'VideoCompleted through B');
    const message = of(acknowledged)[0]!;
    assert.equal(await tasksOnA.invoke('AcknowledgeMessage', message.messageId), true, 'settled through A');
    assert.equal(await tasksOnA.invoke('AcknowledgeMessage', message.messageId), false, 'settled once');

    // B re-sends what nobody acknowledged: the other outcome comes again…
    await waitFor(() => of(ignored).some((m) => m.retryCount === 1), 20_000, 'the unacknowledged VideoCompleted re-sent by B');
    // …and B's timer of the acknowledged one found it settled through A instead of re-sending it.
    await eventually(() => metrics(nodeB), (m) => m.acknowledgements.acknowledgedElsewhere >= 1, 20_000, "B's timer finding the delivery settled");
    assert.equal(of(acknowledged).length, 1, 'never re-sent');
    assert.equal((await metrics(nodeA)).acknowledgements.acknowledged, 1);
    for (const m of of(ignored)) await videosOnB.invoke('AcknowledgeMessage', m.messageId);

    // Both nodes heard both tasks end; each task's cost ($0.30) is billed once, by one of them.
    await waitFor(() => spend.some((u) => u.currentSpend! >= 0.6), 20_000, 'both tasks billed');
    assert.equal((await http(nodeB, '/api/conduit/spend', { body: { amount: 0.01 }, token: key })).status, 202);
    await waitFor(() => spend.some((u) => u.delta === 0.01), 20_000, 'the SpendUpdate after the tasks');
    assert.equal(spend.at(-1)!.currentSpend, 0.61);
    assert.ok(spend.every((u) => u.currentSpend! <= 0.61), JSON.stringify(spend));
  });

  it('a dead letter written by A is listed, counted and removed through B: one list', async () => {
    const { id, key } = await issueKey(nodeA, 'dead-letters');
    const requestId = await startVideo(nodeA, key, 'left unacknowledged');
    const forgetful = await hub(nodeA, '/hubs/video-generation', key);
    const completed = record<Record<string, unknown>>(forgetful, 'VideoCompleted');
    await forgetful.invoke('SubscribeToVideoGeneration', requestId);
    await waitFor(() => completed.length === 1, 20_000, 'VideoCompleted through A');
    const connectionId = forgetful.connectionId;
    await forgetful.stop(); // closing unacknowledged: A dead-letters it

    const letters = await eventually(
      async () => (await http(nodeB, `/api/conduit/admin/dead-letters?virtualKeyId=${id}`, { token: MASTER_KEY })).body,
      (body) => body.deadLetters.length === 1,
      20_000,
      "A's dead letter listed by B",
    );
    const [letter] = letters.deadLetters;
    assert.equal(letter.messageId, completed[0]!.messageId);
    assert.equal(letter.connectionId, connectionId);
    assert.match(letter.reason, /connection closed/);
    const totalOnA = (await http(nodeA, '/api/conduit/admin/dead-letters', { token: MASTER_KEY })).body.total;
    assert.equal(letters.total, totalOnA, 'both nodes count one list');
    assert.equal((await http(nodeB, `/api/conduit/admin/dead-letters/${letter.id}`, { method: 'DELETE', token: MASTER_KEY })).status, 204);
    assert.deepEqual((await http(nodeA, `/api/conduit/admin/dead-letters?virtualKeyId=${id}`, { token: MASTER_KEY })).body.deadLetters, [], 'removed through B, gone on A');
  });

  it("spend recorded through both nodes within a window is one SpendUpdate, to the key's connections on both", async () => {
    const { id, key } = await issueKey(nodeA, 'spend');
    const updatesOnA = record<Record<string, unknown>>(await hub(nodeA, '/hubs/spend-notifications', key), 'SpendUpdate');
    const updatesOnB = record<Record<string, unknown>>(await hub(nodeB, '/hubs/spend-notifications', key), 'SpendUpdate');
    assert.equal((await http(nodeA, '/api/conduit/spend', { body: { amount: 0.1 }, token: key })).status, 202);
    assert.equal((await http(nodeB, '/api/conduit/spend', { body: { amount: 0.25 }, token: key })).status, 202);
    await waitFor(() => updatesOnA.length === 1 && updatesOnB.length === 1, 20_000, 'the summed SpendUpdate on both nodes');
    for (const update of [updatesOnA[0]!, updatesOnB[0]!]) {
      assert.equal(update.virtualKeyId, id);
      assert.equal(update.previousSpend, 0);
      assert.equal(update.currentSpend, 0.35);
      assert.equal(update.delta, 0.35);
      assert.equal(update.updateCount, 2);
    }
    assert.equal(updatesOnA[0]!.messageId, updatesOnB[0]!.messageId, 'one message, sent once for the cluster');

    // The next window: had any node sent the first one again, it would be here before this.
    assert.equal((await http(nodeB, '/api/conduit/spend', { body: { amount: 0.2 }, token: key })).status, 202);
    await waitFor(() => updatesOnA.length >= 2 && updatesOnB.length >= 2, 20_000, 'the next window');
    assert.deepEqual(updatesOnA.map((u) => [u.previousSpend, u.currentSpend, u.updateCount]), [[0, 0.35, 2], [0.35, 0.55, 1]]);
    assert.deepEqual(updatesOnB.map((u) => u.messageId), updatesOnA.map((u) => u.messageId));
    assert.deepEqual((await http(nodeA, '/api/conduit/spend', { token: key })).body, { virtualKeyId: id, currentSpend: 0.55, maxBudget: null });
  });

  /** Redis keys whose value contains `text` (strings and hash fields), to prove a secret is stored nowhere. */
  async function redisKeysHolding(text: string): Promise<string[]> {
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.url);
    try {
      const found: string[] = [];
      for (const name of await client.keys('*')) {
        const type = await client.type(name);
        const values = type === 'hash' ? Object.entries(await client.hgetall(name)).flat() : type === 'string' ? [(await client.get(name)) ?? ''] : [];
        if (values.some((v) => v.includes(text))) found.push(name);
      }
      return found;
    } finally {
      client.disconnect();
    }
  }
});
