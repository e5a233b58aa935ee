import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '@tidings/jobs';
import { conduitJobTypes } from '../src/demo/generation-processors.js';
import { MASTER_KEY, processorsOf, SEED_VIDEO_URL, TRANSPORT_CASES, closed, connect, delay, gated, record, conduitFixture, signalR, waitFor } from './support/conduit-service.js';
import type { RunningService } from './support/conduit-service.js';
import { demoProcessors, jsonString } from '@tidings/server';

const SPEED = 20;

/** Generation tasks wait until the test opens the gate of their prompt. */
function gatedGenerations() {
  return gated(processorsOf(conduitJobTypes(SPEED)), (job) => jsonString(job.input, 'prompt') ?? '');
}

async function issueKey(service: RunningService, name: string, maxBudget?: number): Promise<{ id: string; key: string }> {
  const response = await service.http('/api/conduit/admin/virtual-keys', { body: { name, ...(maxBudget ? { maxBudget } : {}) }, token: MASTER_KEY });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body;
}

/** Conduit's ConduitSignalRService (Client-Side section), with the base URL filled in. */
class ConduitSignalRService {
  connections = new Map<string, signalR.HubConnection>();
  virtualKey: string | null = null;
  masterKey: string | null = null;
  constructor(private readonly baseUrl: string) {}

  setVirtualKey(key: string) {
    this.virtualKey = key;
  }

  setMasterKey(key: string) {
    this.masterKey = key;
  }

  async connectToHub(hubName: string): Promise<signalR.HubConnection> {
    if (this.connections.has(hubName)) return this.connections.get(hubName)!;
    const hubUrl = this.getHubUrl(hubName);
    const token = this.getTokenForHub(hubName);
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(hubUrl, { accessTokenFactory: () => token! })
      .withAutomaticReconnect()
      .configureLogging(signalR.LogLevel.None)
      .build();
    await connection.start();
    this.connections.set(hubName, connection);
    return connection;
  }

  getHubUrl(hubName: string): string {
    const hubMappings: Record<string, string> = {
      'spend-notifications': `${this.baseUrl}/hubs/spend-notifications`,
      'task-notifications': `${this.baseUrl}/hubs/tasks`,
      'admin-notifications': `${this.baseUrl}/hubs/admin-notifications`,
    };
    return hubMappings[hubName]!;
  }

  getTokenForHub(hubName: string) {
    const adminHubs = ['admin-notifications'];
    return adminHubs.includes(hubName) ? this.masterKey : this.virtualKey;
  }

  async stop() {
    await Promise.all([...this.connections.values()].map((c) => c.stop()));
  }
}

const hub = (service: RunningService, path: string) => `${service.url}${path}`;

describe('Conduit: virtual keys and master key', () => {
  const fixture = conduitFixture();

  it('issues keys only with the master key, stores them hashed, and lists them without the key', async () => {
    const { service } = fixture;
    assert.equal((await service.http('/api/conduit/admin/virtual-keys', { body: { name: 'x' } })).status, 401);
    assert.equal((await service.http('/api/conduit/admin/virtual-keys', { body: { name: 'x' }, token: 'wrong-master-key-000000' })).status, 401);
    assert.equal((await service.http('/api/conduit/admin/virtual-keys', { body: { name: 'x' }, headers: { 'x-api-key': MASTER_KEY } })).status, 201);
    assert.equal((await service.http('/api/conduit/admin/virtual-keys', { body: {}, token: MASTER_KEY })).status, 400);

    const issued = await issueKey(service, 'hashed');
    assert.match(issued.key, /^condt_[A-Za-z0-9_-]{43}$/);
    const listed = (await service.http('/api/conduit/admin/virtual-keys', { token: MASTER_KEY })).body.virtualKeys as Record<string, unknown>[];
    const entry = listed.find((k) => k.id === issued.id)!;
    assert.equal(entry.name, 'hashed');
    assert.equal(entry.key, undefined);
    assert.ok(issued.key.startsWith(entry.keyPrefix as string));
    const db = readFileSync(join(service.server.config.dataDir, 'conduit.db'));
    const wal = (() => {
      try {
        return readFileSync(join(service.server.config.dataDir, 'conduit.db-wal'));
      } catch {
        return Buffer.alloc(0);
      }
    })();
    assert.ok(!db.includes(issued.key) && !wal.includes(issued.key), 'the key itself is stored nowhere');
  });

  it('accepts a virtual key on the user hubs and the master key on the admin hub, each refused on the other', async () => {
    const { service } = fixture;
    const { key } = await issueKey(service, 'schemes');
    const userHubs = ['/hubs/video-generation', '/hubs/image-generation', '/hubs/tasks', '/hubs/spend-notifications', '/hubs/webhooks', '/hubs/navigation-state', '/hubs/notifications'];
    for (const path of userHubs) {
      await assert.rejects(connect(hub(service, path), TRANSPORT_CASES[0]!), /401/, `${path} without a token`);
      await assert.rejects(connect(hub(service, path), TRANSPORT_CASES[0]!, { accessToken: MASTER_KEY }), /401/, `${path} with the master key`);
      const connection = await connect(hub(service, path), TRANSPORT_CASES[0]!, { accessToken: key });
      await connection.stop();
    }
    await assert.rejects(connect(hub(service, '/hubs/admin-notifications'), TRANSPORT_CASES[0]!, { accessToken: key }), /401/);
    await assert.rejects(connect(hub(service, '/hubs/video-generation'), TRANSPORT_CASES[0]!, { accessToken: 'condt_not-a-real-key' }), /401/);
    const admin = await connect(hub(service, '/hubs/admin-notifications'), TRANSPORT_CASES[2]!, { accessToken: MASTER_KEY });
    await admin.stop();
  });

  it('revoking a key closes its connections and refuses it from then on; the admins hear of it', async () => {
    const { service } = fixture;
    const conduit = new ConduitSignalRService(service.url);
    conduit.setMasterKey(MASTER_KEY);
    const admin = await conduit.connectToHub('admin-notifications');
    const changes = record<Record<string, unknown>>(admin, 'ConfigurationChanged');
    const { id, key } = await issueKey(service, 'to-revoke');
    await waitFor(() => changes.some((c) => c.action === 'Created'), 2000, 'ConfigurationChanged (Created)');
    const connection = await connect(hub(service, '/hubs/spend-notifications'), TRANSPORT_CASES[0]!, { accessToken: key });
    const ended = closed(connection);
    try {
      assert.equal((await service.http(`/api/conduit/admin/virtual-keys/${id}`, { method: 'DELETE', token: MASTER_KEY })).body.revokedAt !== null, true);
      await ended;
      await assert.rejects(connect(hub(service, '/hubs/spend-notifications'), TRANSPORT_CASES[0]!, { accessToken: key }), /401/);
      assert.equal((await service.http('/api/conduit/spend', { token: key })).status, 401);
      await waitFor(() => changes.some((c) => c.action === 'Revoked'), 2000, 'ConfigurationChanged (Revoked)');
      const revoked = changes.find((c) => c.action === 'Revoked')!;
      assert.equal(revoked.setting, 'VirtualKey');
      assert.deepEqual(revoked.details, { virtualKeyId: id, name: 'to-revoke' });
      assert.equal((await service.http('/api/conduit/admin/virtual-keys/99999', { method: 'DELETE', token: MASTER_KEY })).status, 404);
    } finally {
      await conduit.stop();
    }
  });
});

describe('Conduit: video, image and task hubs', () => {
  const generations = gatedGenerations();
  const fixture = conduitFixture({ processors: { ...demoProcessors({ speed: SPEED }), ...generations.processors } });
  const start = async (key: string, kind: 'videos' | 'images', prompt: string, extra: Record<string, unknown> = {}) => {
    const response = await fixture.service.http(`/api/conduit/${kind}/generations`, { body: { prompt, ...extra }, token: key });
    assert.equal(response.status, 202, JSON.stringify(response.body));
    return response.body.requestId as string;
  };

  it('SubscribeToVideoGeneration: the owner gets VideoProgress then VideoCompleted; another key gets "Access denied"; unsubscribing stops it', async () => {
    const { service } = fixture;
    const owner = await issueKey(service, 'video-owner');
    const stranger = await issueKey(service, 'video-stranger');
    const mine = await connect(hub(service, '/hubs/video-generation'), TRANSPORT_CASES[0]!, { accessToken: owner.key });
    const theirs = await connect(hub(service, '/hubs/video-generation'), TRANSPORT_CASES[1]!, { accessToken: stranger.key });
    const quitter = await connect(hub(service, '/hubs/video-generation'), TRANSPORT_CASES[2]!, { accessToken: owner.key });
    try {
      const progress = record<Record<string, unknown>>(mine, 'VideoProgress');
      const completed = record<Record<string, unknown>>(mine, 'VideoCompleted');
      const quitterProgress = record<Record<string, unknown>>(quitter, 'VideoProgress');
      const requestId = await start(owner.key, 'videos', 'a cat surfing');

      await assert.rejects(theirs.invoke('SubscribeToVideoGeneration', requestId), /HubException: Access denied to video generation request/);
      await assert.rejects(theirs.invoke('SubscribeToVideoGeneration', 'no-such-request'), /HubException: Access denied to video generation request/);
      await assert.rejects(theirs.invoke('SubscribeToVideoGeneration', '  '), /HubException: Request ID is required/);

      await mine.invoke('SubscribeToVideoGeneration', requestId);
      await quitter.invoke('SubscribeToVideoGeneration', requestId);
      await waitFor(() => progress.length === 1 && quitterProgress.length === 1, 2000, 'the current progress on subscribe');
      await quitter.invoke('UnsubscribeFromVideoGeneration', requestId);
      generations.open('a cat surfing');
      await waitFor(() => completed.length === 1, 20_000, 'VideoCompleted');
      await mine.invoke('AcknowledgeMessage', completed[0]!.messageId);

      assert.ok(progress.length >= 3, `${progress.length} VideoProgress`);
      for (const p of progress) {
        assert.equal(p.requestId, requestId);
        assert.equal(typeof p.percentage, 'number');
        assert.equal(typeof p.status, 'string');
        assert.equal(typeof p.timestamp, 'string');
      }
      assert.equal(progress.at(-1)!.percentage, 90);
      assert.equal(completed[0]!.requestId, requestId);
      assert.match(completed[0]!.videoUrl as string, /^https:\/\/media\.example\.com\/conduit-demo\/videos\//);
      assert.equal(quitterProgress.length, 1, 'nothing after UnsubscribeFromVideoGeneration');
    } finally {
      await Promise.all([mine.stop(), theirs.stop(), quitter.stop()]);
    }
  });

  it('TaskHub: a task type subscription sees TaskStarted, TaskProgress, TaskProgressDelta and TaskCompleted; ImageGenerationHub its events', async () => {
    const { service } = fixture;
    const owner = await issueKey(service, 'tasks');
    const conduit = new ConduitSignalRService(service.url);
    conduit.setVirtualKey(owner.key);
    const tasks = await conduit.connectToHub('task-notifications');
    const images = await connect(hub(service, '/hubs/image-generation'), TRANSPORT_CASES[0]!, { accessToken: owner.key });
    try {
      const events = new Map<string, Record<string, unknown>[]>();
      for (const name of ['TaskStarted', 'TaskProgress', 'TaskProgressDelta', 'TaskCompleted']) events.set(name, record(tasks, name));
      const imageProgress = record<Record<string, unknown>>(images, 'ImageProgress');
      const imageCompleted = record<Record<string, unknown>>(images, 'ImageCompleted');
      await assert.rejects(tasks.invoke('SubscribeToTaskType', 'bogus'), /taskType must be one of video_generation, image_generation/);
      await tasks.invoke('SubscribeToTaskType', 'image_generation');
      const requestId = await start(owner.key, 'images', 'three pears', { n: 3 });
      await images.invoke('SubscribeToImageGeneration', requestId);
      await assert.rejects(images.invoke('SubscribeToVideoGeneration', requestId), /Method does not exist/);
      generations.open('three pears');
      await waitFor(() => events.get('TaskCompleted')!.length === 1 && imageCompleted.length === 1, 20_000, 'TaskCompleted and ImageCompleted');
      await tasks.invoke('AcknowledgeMessage', events.get('TaskCompleted')![0]!.messageId);
      await images.invoke('AcknowledgeMessage', imageCompleted[0]!.messageId);

      const started = events.get('TaskStarted')!;
      assert.equal(started.length, 1);
      assert.equal(started[0]!.taskId, requestId);
      assert.equal(started[0]!.taskType, 'image_generation');
      const progress = events.get('TaskProgress')!;
      assert.ok(progress.length >= 2);
      assert.equal(progress.at(-1)!.percentComplete, 100);
      assert.equal(progress.at(-1)!.progressPercentage, 100);
      const deltas = events.get('TaskProgressDelta')!;
      assert.deepEqual(Object.keys(deltas[0]!).filter((k) => ['progressPercentage', 'status', 'message'].includes(k)).sort(), ['message', 'progressPercentage', 'status']);
      assert.ok(deltas.slice(1).some((d) => !('status' in d)), 'later deltas leave unchanged fields out');
      assert.deepEqual((events.get('TaskCompleted')![0]!.result as { images: unknown[] }).images.length, 3);
      assert.ok(imageProgress.length >= 2);
      assert.equal(imageCompleted[0]!.requestId, requestId);
    } finally {
      await conduit.stop();
      await images.stop();
    }
  });

  it('a failed generation sends VideoFailed and TaskFailed; subscribing to a finished request sends its outcome', async () => {
    const { service } = fixture;
    const owner = await issueKey(service, 'failures');
    const videos = await connect(hub(service, '/hubs/video-generation'), TRANSPORT_CASES[0]!, { accessToken: owner.key });
    const tasks = await connect(hub(service, '/hubs/tasks'), TRANSPORT_CASES[0]!, { accessToken: owner.key });
    try {
      const failed = record<Record<string, unknown>>(videos, 'VideoFailed');
      const taskFailed = record<Record<string, unknown>>(tasks, 'TaskFailed');
      const requestId = await start(owner.key, 'videos', 'please [fail]');
      await videos.invoke('SubscribeToVideoGeneration', requestId);
      generations.open('please [fail]');
      await waitFor(() => failed.length === 1, 20_000, 'VideoFailed');
      assert.equal(failed[0]!.status, 'Failed');
      assert.match(failed[0]!.error as string, /demo failure/);
      assert.equal(failed[0]!.isRetryable, false);
      await videos.invoke('AcknowledgeMessage', failed[0]!.messageId);

      await tasks.invoke('SubscribeToTask', requestId);
      await waitFor(() => taskFailed.length === 1, 2000, 'TaskFailed on subscribe');
      assert.equal(taskFailed[0]!.taskId, requestId);
      await tasks.invoke('AcknowledgeMessage', taskFailed[0]!.messageId);
      const status = await service.http(`/api/conduit/tasks/${requestId}`, { token: owner.key });
      assert.equal(status.body.state, 'Failed');
    } finally {
      await Promise.all([videos.stop(), tasks.stop()]);
    }
  });

  it('webhook deliveries (demo) reach the key and those watching the URL, never another key', async () => {
    const { service } = fixture;
    const owner = await issueKey(service, 'webhooks');
    const other = await issueKey(service, 'webhooks-other');
    const watcher = await connect(hub(service, '/hubs/webhooks'), TRANSPORT_CASES[0]!, { accessToken: owner.key });
    const outsider = await connect(hub(service, '/hubs/webhooks'), TRANSPORT_CASES[0]!, { accessToken: other.key });
    try {
      const delivered = record<Record<string, unknown>>(watcher, 'WebhookDelivered');
      const failed = record<Record<string, unknown>>(watcher, 'WebhookFailed');
      const outsiderDelivered = record<unknown>(outsider, 'WebhookDelivered');
      await outsider.invoke('SubscribeToWebhooks', ['https://hooks.example.com/ok']);
      await assert.rejects(watcher.invoke('SubscribeToWebhooks', ['ftp://nope']), /is not an http\(s\) URL/);
      await start(owner.key, 'images', 'hooked ok', { webhookUrl: 'https://hooks.example.com/ok' });
      await start(owner.key, 'images', 'hooked fail', { webhookUrl: 'https://fail.example.com/hook' });
      generations.open('hooked ok');
      generations.open('hooked fail');
      await waitFor(() => delivered.length === 1 && failed.length === 1, 20_000, 'WebhookDelivered and WebhookFailed');
      assert.equal(delivered[0]!.webhookUrl, 'https://hooks.example.com/ok');
      assert.equal(delivered[0]!.statusCode, 200);
      assert.equal(failed[0]!.statusCode, 503);
      assert.equal(failed[0]!.willRetry, false);
      await watcher.invoke('AcknowledgeMessage', delivered[0]!.messageId);
      await watcher.invoke('AcknowledgeMessage', failed[0]!.messageId);
      assert.deepEqual(outsiderDelivered, [], "another key's deliveries to the same URL stay private");
    } finally {
      await Promise.all([watcher.stop(), outsider.stop()]);
    }
  });

  it('NavigationStateHub: UpdateNavigation reaches every connection of the key, no other key', async () => {
    const { service } = fixture;
    const owner = await issueKey(service, 'navigation');
    const other = await issueKey(service, 'navigation-other');
    const tabA = await connect(hub(service, '/hubs/navigation-state'), TRANSPORT_CASES[0]!, { accessToken: owner.key });
    const tabB = await connect(hub(service, '/hubs/navigation-state'), TRANSPORT_CASES[2]!, { accessToken: owner.key });
    const outsider = await connect(hub(service, '/hubs/navigation-state'), TRANSPORT_CASES[0]!, { accessToken: other.key });
    try {
      const seenByB = record<Record<string, unknown>>(tabB, 'NavigationUpdated');
      const seenByOutsider = record<unknown>(outsider, 'NavigationUpdated');
      await tabA.invoke('UpdateNavigation', { conversationId: 'c-1', route: '/chat/c-1' });
      await waitFor(() => seenByB.length === 1, 2000, 'NavigationUpdated');
      assert.equal(seenByB[0]!.conversationId, 'c-1');
      assert.equal(seenByB[0]!.route, '/chat/c-1');
      assert.equal(typeof seenByB[0]!.messageId, 'string');
      await assert.rejects(tabA.invoke('UpdateNavigation', ['not', 'an', 'object']), /state must be an object/);
      await delay(150);
      assert.deepEqual(seenByOutsider, []);
    } finally {
      await Promise.all([tabA.stop(), tabB.stop(), outsider.stop()]);
    }
  });
});

describe('Conduit: system notifications, shared /hubs/notifications, rate-limit warnings', () => {
  const fixture = conduitFixture({ config: { demoSpeed: SPEED }, conduit: { requestsPerMinute: 5 } });

  it('ProviderHealthChanged reaches virtual keys on /hubs/notifications; an outage alerts the admins; YoutubeRag users there get their own notices', async () => {
    const { service } = fixture;
    const { key } = await issueKey(service, 'system');
    const system = await connect(hub(service, '/hubs/notifications'), TRANSPORT_CASES[0]!, { accessToken: key });
    const devToken = (await service.http('/api/v1/auth/dev-token', { body: { userId: 'alice' } })).body.token as string;
    const youtubeRag = await connect(hub(service, '/hubs/notifications'), TRANSPORT_CASES[1]!, { accessToken: devToken });
    const admin = await connect(hub(service, '/hubs/admin-notifications'), TRANSPORT_CASES[0]!, { accessToken: MASTER_KEY });
    try {
      const health = record<Record<string, unknown>>(system, 'ProviderHealthChanged');
      const healthSeenByUser = record<unknown>(youtubeRag, 'ProviderHealthChanged');
      const alerts = record<Record<string, unknown>>(admin, 'SystemAlert');
      const notices = record<Record<string, unknown>>(youtubeRag, 'onNotification');
      const noticesSeenByKey = record<unknown>(system, 'onNotification');

      const flip = await service.http('/api/conduit/admin/provider-health', { body: { provider: 'openai', status: 'Unhealthy' }, token: MASTER_KEY });
      assert.equal(flip.body.changed, true);
      await waitFor(() => health.length === 1 && alerts.length === 1, 2000, 'ProviderHealthChanged and SystemAlert');
      assert.equal(health[0]!.provider, 'openai');
      assert.equal(health[0]!.status, 'Unhealthy');
      assert.equal(health[0]!.previousStatus, 'Healthy');
      assert.equal(health[0]!.message, 'Provider openai is now Unhealthy');
      assert.equal(alerts[0]!.severity, 'Critical');

      const ingest = await service.http('/api/v1/videos/ingest', { body: { url: `${SEED_VIDEO_URL}&shared-hub`, userId: 'alice' } });
      await waitFor(() => notices.length === 1, 20_000, 'onNotification');
      assert.equal(notices[0]!.type, 'JobCompleted');
      assert.equal((notices[0]!.data as { jobId: string }).jobId, ingest.body.jobId);
      assert.deepEqual(healthSeenByUser, [], 'system notifications are for virtual keys');
      assert.deepEqual(noticesSeenByKey, [], 'user notifications are for their user');
      assert.deepEqual(await system.invoke('Ping').then((p: { pong: boolean }) => p.pong), true);
    } finally {
      await Promise.all([system.stop(), youtubeRag.stop(), admin.stop()]);
    }
  });

  it('RateLimitWarning as a key nears its request limit, then 429', async () => {
    const { service } = fixture;
    const { key } = await issueKey(service, 'limited');
    const system = await connect(hub(service, '/hubs/notifications'), TRANSPORT_CASES[0]!, { accessToken: key });
    try {
      const warnings = record<Record<string, unknown>>(system, 'RateLimitWarning');
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await service.http('/api/conduit/images/generations', { body: { prompt: `p${i}` }, token: key })).status);
      assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429]);
      await waitFor(() => warnings.length === 2, 2000, 'two warnings');
      assert.deepEqual(warnings.map((w) => w.remaining), [1, 0]);
      assert.equal(warnings[0]!.limit, 5);
      assert.equal(warnings[0]!.endpoint, '/api/conduit/images/generations');
    } finally {
      await system.stop();
    }
  });
});

describe('Conduit: SpendUpdate sums each key’s spend over a second', () => {
  const clock = new ManualClock(Date.now());
  const fixture = conduitFixture({ conduit: { clock } });

  it('one SpendUpdate per key per window with the deltas summed; a BudgetAlert when a threshold is crossed', async () => {
    const { service } = fixture;
    const payer = await issueKey(service, 'payer', 1);
    const other = await issueKey(service, 'other', 1);
    const conduit = new ConduitSignalRService(service.url);
    conduit.setVirtualKey(payer.key);
    const connection = await conduit.connectToHub('spend-notifications');
    const outsider = await connect(hub(service, '/hubs/spend-notifications'), TRANSPORT_CASES[0]!, { accessToken: other.key });
    try {
      const updates = record<Record<string, unknown>>(connection, 'SpendUpdate');
      const alerts = record<Record<string, unknown>>(connection, 'BudgetAlert');
      const outsiderUpdates = record<unknown>(outsider, 'SpendUpdate');
      for (const amount of [0.1, 0.25, 0.05]) assert.equal((await service.http('/api/conduit/spend', { body: { amount }, token: payer.key })).status, 202);
      await delay(50);
      assert.equal(updates.length, 0, 'nothing before the window ends');
      clock.advance(1000);
      await waitFor(() => updates.length === 1, 2000, 'the summed SpendUpdate');
      assert.equal(updates[0]!.virtualKeyId, payer.id);
      assert.equal(updates[0]!.delta, 0.4);
      assert.equal(updates[0]!.previousSpend, 0);
      assert.equal(updates[0]!.currentSpend, 0.4);
      assert.equal(updates[0]!.updateCount, 3);
      assert.equal(typeof updates[0]!.messageId, 'string');
      assert.equal(alerts.length, 0);

      await service.http('/api/conduit/spend', { body: { amount: 0.2 }, token: payer.key });
      clock.advance(1000);
      await waitFor(() => updates.length === 2 && alerts.length === 1, 2000, 'the next window');
      assert.equal(updates[1]!.previousSpend, 0.4);
      assert.equal(updates[1]!.currentSpend, 0.6);
      assert.equal(updates[1]!.delta, 0.2);
      assert.equal(alerts[0]!.threshold, 50);
      assert.equal(alerts[0]!.percentageUsed, 60);
      assert.deepEqual(outsiderUpdates, []);
      assert.deepEqual((await service.http('/api/conduit/spend', { token: payer.key })).body, { virtualKeyId: payer.id, currentSpend: 0.6, maxBudget: 1 });

      // Three quiet windows, then one far above their average.
      const spender = await issueKey(service, 'spender');
      const spenderConnection = await connect(hub(service, '/hubs/spend-notifications'), TRANSPORT_CASES[0]!, { accessToken: spender.key });
      const unusual = record<Record<string, unknown>>(spenderConnection, 'UnusualSpending');
      const spenderUpdates = record<unknown>(spenderConnection, 'SpendUpdate');
      for (const [i, amount] of [0.01, 0.02, 0.01, 0.5].entries()) {
        await service.http('/api/conduit/spend', { body: { amount }, token: spender.key });
        clock.advance(1000);
        await waitFor(() => spenderUpdates.length === i + 1, 2000, 'a SpendUpdate per window');
        if (i < 3) assert.equal(unusual.length, 0);
      }
      await waitFor(() => unusual.length === 1, 2000, 'UnusualSpending');
      assert.equal(unusual[0]!.delta, 0.5);
      assert.equal(unusual[0]!.virtualKeyId, spender.id);
      await spenderConnection.stop();
    } finally {
      await conduit.stop();
      await outsider.stop();
    }
  });
});
