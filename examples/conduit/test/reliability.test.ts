import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@tidings/jobs';
import Database from 'better-sqlite3';
import { AcknowledgementTracker } from '../src/reliability/acknowledgement-tracker.js';
import { DeadLetterStore } from '../src/reliability/dead-letter-store.js';
import { FixedWindowRateLimiter } from '../src/reliability/fixed-window-rate-limiter.js';
import { MessageBatcher } from '../src/reliability/message-batcher.js';
import { envelope } from '../src/reliability/message-envelope.js';
import { ProgressDeltaTracker } from '../src/reliability/progress-delta.js';
import { conduitJobTypes } from '../src/demo/generation-processors.js';
import { MASTER_KEY, processorsOf, TRANSPORT_CASES, connect, delay, eventually, gated, record, conduitFixture, signalR, waitFor } from './support/conduit-service.js';
import type { RunningService } from './support/conduit-service.js';
import { demoProcessors, jsonString } from '@tidings/server';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function trackerHarness(policy = { ackTimeoutMs: 100, backoffMultiplier: 2, maxDelayMs: 1000, maxAttempts: 3 }) {
  const clock = new ManualClock();
  const sent: { connectionId: string; retryCount: number; messageId: string }[] = [];
  const store = new DeadLetterStore(new Database(':memory:'));
  const tracker = new AcknowledgementTracker({
    clock,
    policy,
    deadLetters: store,
    resend: async (_hub, connectionId, _method, payload) => void sent.push({ connectionId, retryCount: payload.retryCount, messageId: payload.messageId }),
  });
  const message = envelope({ requestId: 'r-1' }, { correlationId: 'r-1' });
  const track = (connectionId: string) => tracker.track({ hub: '/hubs/video-generation', method: 'VideoCompleted', payload: message, connectionId, userIdentifier: '7' });
  return { clock, sent, store, tracker, message, track };
}

describe("Conduit's reliability toolkit: acknowledgements, dead letters, batching, rate limits, deltas", () => {
  it('re-sends an unacknowledged message with exponential backoff and the same id, then dead-letters it', () => {
    const { clock, sent, store, tracker, message, track } = trackerHarness();
    track('c1');
    clock.advance(99);
    assert.equal(sent.length, 0);
    clock.advance(1);
    assert.deepEqual(sent, [{ connectionId: 'c1', retryCount: 1, messageId: message.messageId }]);
    clock.advance(199);
    assert.equal(sent.length, 1, 'the second wait is twice as long');
    clock.advance(1);
    assert.deepEqual(sent.map((s) => s.retryCount), [1, 2]);
    clock.advance(399);
    assert.equal(store.count(), 0);
    clock.advance(1);
    assert.equal(sent.length, 2, 'maxAttempts 3: no fourth delivery');
    const [letter] = store.list();
    assert.equal(letter!.messageId, message.messageId);
    assert.equal(letter!.attempts, 3);
    assert.equal(letter!.method, 'VideoCompleted');
    assert.equal(letter!.userIdentifier, '7');
    assert.match(letter!.reason, /Not acknowledged after 3 deliveries/);
    assert.equal(tracker.size, 0);
  });

  it('an acknowledged message is never re-sent; acknowledgements are per connection', () => {
    const { clock, sent, store, tracker, message, track } = trackerHarness();
    track('c1');
    track('c2');
    assert.equal(tracker.acknowledge(message.messageId, 'c1'), true);
    assert.equal(tracker.acknowledge(message.messageId, 'c1'), false, 'twice is not acknowledged again');
    assert.equal(tracker.acknowledge('unknown', 'c2'), false);
    clock.advance(10_000);
    assert.ok(sent.every((s) => s.connectionId === 'c2'));
    assert.deepEqual(store.list().map((l) => l.connectionId), ['c2']);
  });

  it('a nack counts as a failed delivery and its error is kept; a closing connection dead-letters what it owed', () => {
    const { clock, sent, store, tracker, message, track } = trackerHarness();
    track('c1');
    assert.equal(tracker.nack(message.messageId, 'c1', 'render failed'), true);
    clock.advance(100);
    assert.deepEqual(sent.map((s) => s.retryCount), [1]);
    tracker.nack(message.messageId, 'c1', 'render failed again');
    clock.advance(200);
    tracker.nack(message.messageId, 'c1', 'still failing');
    const [letter] = store.list();
    assert.match(letter!.reason, /NackMessage/);
    assert.equal(letter!.lastError, 'still failing');

    track('c9');
    tracker.connectionClosed('c9');
    assert.match(store.list()[0]!.reason, /connection closed/);
    assert.equal(clock.pending, 0, 'no timers left');
  });

  it('the batcher holds messages for the window, sends them together in order, and keeps only the latest of a coalesce key', async () => {
    const clock = new ManualClock();
    const batcher = new MessageBatcher({ windowMs: 100, maxBatchSize: 4, clock });
    const out: string[] = [];
    const message = (name: string, coalesceKey?: string) => ({ coalesceKey, send: async () => void out.push(name) });
    batcher.enqueue(message('progress 10', 'task-1'));
    batcher.enqueue(message('delta'));
    batcher.enqueue(message('progress 20', 'task-1'));
    clock.advance(99);
    assert.deepEqual(out, []);
    clock.advance(1);
    await delay(0);
    assert.deepEqual(out, ['delta', 'progress 20']);
    for (let i = 0; i < 4; i++) batcher.enqueue(message(`m${i}`));
    await delay(0);
    assert.deepEqual(out.slice(2), ['m0', 'm1', 'm2', 'm3'], 'a full batch goes at once');
    assert.equal(batcher.metrics.coalesced, 1);
  });

  it('the fixed window limiter grants the permits per partition, refuses at once past them, and opens the next window', () => {
    const clock = new ManualClock();
    const limiter = new FixedWindowRateLimiter({ permitLimit: 2, windowMs: 60_000, clock });
    assert.equal(limiter.tryAcquire('10.0.0.1'), 0);
    assert.equal(limiter.tryAcquire('10.0.0.1'), 0);
    clock.advance(15_000);
    assert.equal(limiter.tryAcquire('10.0.0.1'), 45_000, 'refused, with the time until the next window');
    assert.equal(limiter.tryAcquire('10.0.0.2'), 0, 'another IP has its own permits');
    clock.advance(45_000);
    assert.equal(limiter.tryAcquire('10.0.0.1'), 0, 'a new window');
    assert.deepEqual(limiter.metrics, { granted: 4, rejected: 1 });
    clock.advance(120_000);
    limiter.tryAcquire('10.0.0.3');
    assert.equal(limiter.partitionCount, 1, 'partitions whose window ended are dropped');
  });

  it('deltas carry only what changed', () => {
    const deltas = new ProgressDeltaTracker();
    assert.deepEqual(deltas.delta('t', { progressPercentage: 10, status: 'Processing', message: 'a' }, 'T1'), { taskId: 't', progressPercentage: 10, status: 'Processing', message: 'a', timestamp: 'T1' });
    assert.deepEqual(deltas.delta('t', { progressPercentage: 20, status: 'Processing', message: 'a' }, 'T2'), { taskId: 't', progressPercentage: 20, timestamp: 'T2' });
    assert.equal(deltas.delta('t', { progressPercentage: 20, status: 'Processing', message: 'a' }, 'T3'), undefined);
    deltas.forget('t');
    assert.equal(deltas.size, 0);
  });
});

async function issueKey(service: RunningService, name: string): Promise<string> {
  return (await service.http('/api/conduit/admin/virtual-keys', { body: { name }, token: MASTER_KEY })).body.key as string;
}

describe("Conduit's hubs: acknowledgements, re-sends and dead letters", () => {
  const SPEED = 20;
  const generations = gated(processorsOf(conduitJobTypes(SPEED)), (job) => jsonString(job.input, 'prompt') ?? '');
  const fixture = conduitFixture({
    processors: { ...demoProcessors({ speed: SPEED }), ...generations.processors },
    conduit: { retryPolicy: { ackTimeoutMs: 150, backoffMultiplier: 2, maxAttempts: 3 } },
  });

  it('an unacknowledged VideoCompleted is re-sent (same messageId, retryCount up) and then dead-lettered; an acknowledged one is not', async () => {
    const { service } = fixture;
    const key = await issueKey(service, 'reliability');
    const url = `${service.url}/hubs/video-generation`;
    const forgetful = await connect(url, TRANSPORT_CASES[0]!, { accessToken: key });
    const diligent = await connect(url, TRANSPORT_CASES[1]!, { accessToken: key });
    const admin = await connect(`${service.url}/hubs/admin-notifications`, TRANSPORT_CASES[0]!, { accessToken: MASTER_KEY });
    try {
      const ignored = record<Record<string, unknown>>(forgetful, 'VideoCompleted');
      const acked: Record<string, unknown>[] = [];
      // written: acknowledge after processing.
      diligent.on('VideoCompleted', async (message: Record<string, unknown>) => {
        acked.push(message);
        if (message.messageId) await diligent.invoke('AcknowledgeMessage', message.messageId);
      });
      const alerts = record<Record<string, unknown>>(admin, 'SystemAlert');
      const progress = record<Record<string, unknown>>(forgetful, 'VideoProgress');

      const created = await service.http('/api/conduit/videos/generations', { body: { prompt: 'reliable' }, token: key });
      const requestId = created.body.requestId as string;
      await forgetful.invoke('SubscribeToVideoGeneration', requestId);
      await diligent.invoke('SubscribeToVideoGeneration', requestId);
      generations.open('reliable');

      await waitFor(() => ignored.length === 3, 20_000, 'three deliveries to the connection that never acknowledges');
      const first = ignored[0]!;
      assert.match(first.messageId as string, UUID);
      assert.equal(first.correlationId, requestId);
      assert.deepEqual(ignored.map((m) => m.retryCount), [0, 1, 2]);
      assert.ok(ignored.every((m) => m.messageId === first.messageId));

      const letters = await eventually(
        async () => (await service.http('/api/conduit/admin/dead-letters', { token: MASTER_KEY })).body.deadLetters as Record<string, unknown>[],
        (list) => list.length > 0,
        5000,
        'the dead letter',
      );
      assert.equal(letters.length, 1);
      assert.equal(letters[0]!.messageId, first.messageId);
      assert.equal(letters[0]!.method, 'VideoCompleted');
      assert.equal(letters[0]!.hub, '/hubs/video-generation');
      assert.equal(letters[0]!.connectionId, forgetful.connectionId);
      assert.equal(letters[0]!.attempts, 3);
      await waitFor(() => alerts.some((a) => String(a.message).includes(first.messageId as string)), 2000, 'the admins are alerted');

      assert.equal(acked.length, 1, 'acknowledged: never re-sent');
      const metrics = (await service.http('/api/conduit/admin/metrics', { token: MASTER_KEY })).body;
      assert.equal(metrics.acknowledgements.pending, 0);
      assert.ok(metrics.acknowledgements.acknowledged >= 1);
      assert.equal((await service.http('/api/conduit/admin/dead-letters', { token: MASTER_KEY })).body.total, 1);

      // Every message carries the envelope.
      for (const p of progress) {
        assert.match(p.messageId as string, UUID);
        assert.equal(typeof p.timestamp, 'string');
        assert.equal(p.retryCount, 0);
        assert.equal(p.correlationId, requestId);
      }
      assert.equal((await service.http('/api/conduit/admin/dead-letters', { method: 'DELETE', token: MASTER_KEY })).body.removed, 1);
    } finally {
      await Promise.all([forgetful.stop(), diligent.stop(), admin.stop()]);
    }
  });

  it('NackMessage re-sends with the error kept; acknowledging a message that needs none is harmless; Ping answers', async () => {
    const { service } = fixture;
    const key = await issueKey(service, 'nack');
    const connection = await connect(`${service.url}/hubs/tasks`, TRANSPORT_CASES[0]!, { accessToken: key });
    try {
      const completed: Record<string, unknown>[] = [];
      // 's handler shape: a failure to process is a nack with the error.
      connection.on('TaskCompleted', async (message: Record<string, unknown>) => {
        completed.push(message);
        if (completed.length === 1) await connection.invoke('NackMessage', message.messageId, 'could not render the result');
        else await connection.invoke('AcknowledgeMessage', message.messageId);
      });
      const progress: Record<string, unknown>[] = [];
      connection.on('TaskProgress', async (message: Record<string, unknown>) => {
        progress.push(message);
        if (message.messageId) assert.equal(await connection.invoke('AcknowledgeMessage', message.messageId), false);
      });
      const created = await service.http('/api/conduit/images/generations', { body: { prompt: 'nacked' }, token: key });
      await connection.invoke('SubscribeToTask', created.body.taskId);
      generations.open('nacked');
      await waitFor(() => completed.length === 2, 20_000, 'the re-send after the nack');
      assert.equal(completed[1]!.messageId, completed[0]!.messageId);
      assert.equal(completed[1]!.retryCount, 1);
      const metrics = (await service.http('/api/conduit/admin/metrics', { token: MASTER_KEY })).body.acknowledgements;
      assert.ok(metrics.nacked >= 1);
      assert.ok(progress.length >= 1);
      const pong = (await connection.invoke('Ping')) as { pong: boolean; serverTime: string };
      assert.equal(pong.pong, true);
      assert.ok(!Number.isNaN(Date.parse(pong.serverTime)));
      await assert.rejects(connection.invoke('AcknowledgeMessage', ''), /HubException: messageId must be/);
    } finally {
      await connection.stop();
    }
  });
});

describe("Conduit's client snippets, as written", () => {
  const generations = gated(processorsOf(conduitJobTypes(20)), (job) => jsonString(job.input, 'prompt') ?? '');
  const fixture = conduitFixture({ processors: { ...demoProcessors({ speed: 20 }), ...generations.processors } });

  it('§6a (reconnect with backoff) with the key in the hub URL, §6b acknowledging TaskProgress, §6c Ping', async () => {
    const { service } = fixture;
    const key = await issueKey(service, 'snippets');
    // §6a passes no accessTokenFactory: the key goes in the URL (`access_token`, as browsers' WebSockets send it).
    const hubUrl = `${service.url}/hubs/tasks?access_token=${encodeURIComponent(key)}`;
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(hubUrl)
      .withAutomaticReconnect({
        nextRetryDelayInMilliseconds: (retryContext) => {
          if (retryContext.elapsedMilliseconds < 60000) return Math.min(1000 * Math.pow(2, retryContext.previousRetryCount), 30000);
          return 30000;
        },
      })
      .configureLogging(signalR.LogLevel.None)
      .build();
    const processed: unknown[] = [];
    const acknowledged: boolean[] = [];
    connection.on('TaskProgress', async (message: { messageId?: string }) => {
      try {
        processed.push(message);
        if (message.messageId) acknowledged.push(await connection.invoke('AcknowledgeMessage', message.messageId));
      } catch (error) {
        if (message.messageId) await connection.invoke('NackMessage', message.messageId, (error as Error).message);
      }
    });
    await connection.start();
    try {
      const created = await service.http('/api/conduit/images/generations', { body: { prompt: 'snippet' }, token: key });
      await connection.invoke('SubscribeToTask', created.body.taskId);
      generations.open('snippet'); // only now: a task done before the subscription would send TaskCompleted, no TaskProgress
      await waitFor(() => acknowledged.length >= 1, 20_000, 'TaskProgress processed and acknowledged');
      assert.ok(acknowledged.every((a) => a === false), 'progress needs no acknowledgement: harmless');
      assert.equal(((await connection.invoke('Ping')) as { pong: boolean }).pong, true);
    } finally {
      await connection.stop();
    }
  });
});

describe("Conduit's rate limit: hub invocations limited per IP (a hub filter)", () => {
  const clock = new ManualClock(Date.now());
  const fixture = conduitFixture({ conduit: { clock, rateLimit: { permitLimit: 3, windowMs: 60_000 } } });

  it('past the limit an invocation is refused at once (never waiting in the invocation slot); acknowledgements never count or wait', { timeout: 20_000 }, async () => {
    const { service } = fixture;
    const key = await issueKey(service, 'limited');
    const hubs = ['/hubs/tasks', '/hubs/video-generation', '/hubs/spend-notifications'];
    const [a, b, c] = await Promise.all(hubs.map((path) => connect(`${service.url}${path}`, TRANSPORT_CASES[0]!, { accessToken: key })));
    try {
      await a!.invoke('Ping');
      await b!.invoke('Ping');
      await c!.invoke('Ping');
      // A burst past the limit, with acknowledgements among it on the same connections; the clock never moves,
      // so a call that waited for the next window would never be answered.
      const burst = Array.from({ length: 30 }, (_, i) => [a!, b!, c!][i % 3]!.invoke('Ping'));
      const acks = [a!, b!, c!].map((connection) => connection.invoke('AcknowledgeMessage', 'some-id'));
      const outcomes = await Promise.allSettled(burst);
      for (const outcome of outcomes) {
        assert.equal(outcome.status, 'rejected');
        assert.match(String((outcome as PromiseRejectedResult).reason), /HubException: Too many requests: at most 3 hub invocations per minute from one IP address\. Try again in 60 s\./);
      }
      assert.deepEqual(await Promise.all(acks), [false, false, false], 'acknowledgements are exempt and answered');
      clock.advance(60_000);
      await b!.invoke('Ping');
    } finally {
      await Promise.all([a!.stop(), b!.stop(), c!.stop()]);
    }
  });
});

