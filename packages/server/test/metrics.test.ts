import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisSkipReason } from '../../../test-support/redis-server.js';
import { scaledServiceFixture } from './support/scaled-service.js';
import { join } from 'node:path';
import { type JobProcessor, SqliteJobStore } from '@tidings/jobs';
import { definePlugin } from '../src/index.js';
import { TRANSPORT_CASES, connect, eventually, record, serviceFixture, signalR, startService, tempDir, waitFor } from './support/service.js';
import { type Scrape, scrape } from './support/metrics.js';

/** Runs until cancelled: a job the test can see Running, then cancel. */
const untilCancelled: JobProcessor = async (_job, ctx) => {
  await ctx.stage('Waiting', 10);
  await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
};

// A plugin whose reaction to a failed job throws: the delivery is counted as a sink failure, the job goes on.
const fragile = definePlugin({
  name: 'fragile',
  eventTypes: ['Broken'],
  register(ctx) {
    ctx.onJobEvent(async ({ event }) => {
      if (event.kind === 'failed') throw new Error('the fragile plugin broke');
    });
  },
});

describe('GET /metrics', () => {
  const fixture = serviceFixture({
    processors: {
      Quick: { processor: async (_job, ctx) => void (await ctx.stage('Working', 50)) },
      Broken: {
        processor: async () => {
          throw new Error('boom');
        },
        options: { maxRetries: 1, backoff: { type: 'fixed', delayMs: 10 } },
      },
      Slow: { processor: untilCancelled },
    },
    plugins: [fragile],
  });

  it('serves the Node process metrics from prom-client', async () => {
    const metrics = await scrape(fixture.service.url);
    assert.ok(metrics.declares('nodejs_eventloop_lag_seconds', 'gauge'));
    assert.ok(metrics.declares('nodejs_heap_size_used_bytes', 'gauge'));
    assert.ok(metrics.declares('nodejs_gc_duration_seconds', 'histogram'));
    assert.ok(metrics.declares('process_cpu_user_seconds_total', 'counter'));
    assert.ok(metrics.value('nodejs_heap_size_used_bytes') > 0);
  });

  it('counts jobs as they run, complete, fail, retry and are cancelled, while official clients come and go', async () => {
    const { service } = fixture;
    const { engine } = service.server;
    const before = await scrape(service.url);
    const delta = (now: Scrape, name: string, labels?: Record<string, string>) => now.value(name, labels) - before.value(name, labels);

    const slow = await engine.enqueue({ type: 'Slow', ownerId: null });
    // Official clients follow the slow job while it runs: one on WebSockets, one on Long Polling with MessagePack.
    const client = await connect(service.hubUrl, TRANSPORT_CASES[0]!);
    const polling = await connect(service.hubUrl, { name: 'LongPolling/MessagePack', transport: signalR.HttpTransportType.LongPolling, protocol: 'messagepack', skipNegotiation: false });
    const updates = record<{ status: string }>(client, 'JobProgressUpdate');
    await client.invoke('SubscribeToJob', slow.id);
    await polling.invoke('SubscribeToJob', slow.id);
    await assert.rejects(client.invoke('SubscribeToJob', ''), /VALIDATION_ERROR|must/i);
    await waitFor(() => updates.some((u) => u.status === 'Running'), 10_000, 'the slow job running');
    let now = await eventually(() => scrape(service.url), (m) => m.value('tidings_jobs', { type: 'Slow', status: 'Running' }) === 1, 10_000, 'Slow Running = 1');
    assert.equal(now.value('tidings_jobs', { type: 'Quick', status: 'Running' }), 0);
    // The hubs' series (from @tidings/hub's HubMetrics, on the service's one registry).
    const hub = { hub: '/hubs/job-progress' };
    assert.equal(now.value('signalr_server_active_connections', { ...hub, signalr_transport: 'web_sockets' }), 1);
    assert.equal(now.value('signalr_server_active_connections', { ...hub, signalr_transport: 'long_polling' }), 1);
    assert.equal(delta(now, 'signalr_server_invocations_total', { ...hub, rpc_method: 'SubscribeToJob', outcome: 'ok' }), 2);
    assert.equal(delta(now, 'signalr_server_invocations_total', { ...hub, rpc_method: 'SubscribeToJob', outcome: 'hub_exception' }), 1);
    assert.equal(delta(now, 'signalr_server_invocation_duration_seconds_count', { ...hub, rpc_method: 'SubscribeToJob' }), 3);
    assert.ok(delta(now, 'signalr_server_messages_received_total', { ...hub, protocol: 'json' }) >= 2);
    assert.ok(delta(now, 'signalr_server_messages_received_total', { ...hub, protocol: 'messagepack' }) >= 1);
    assert.ok(delta(now, 'signalr_server_messages_sent_total', { ...hub, protocol: 'messagepack' }) >= 1);
    assert.ok(delta(now, 'signalr_server_sent_bytes_total', hub) > 0);

    const quick = [await engine.enqueue({ type: 'Quick', ownerId: null }), await engine.enqueue({ type: 'Quick', ownerId: null })];
    const broken = await engine.enqueue({ type: 'Broken', ownerId: null });
    const cancelled = await service.http(`/api/v1/jobs/${slow.id}/cancel`, { method: 'POST' });
    assert.equal(cancelled.status, 200);
    await client.stop();
    await polling.stop();

    now = await eventually(
      () => scrape(service.url),
      (m) =>
        delta(m, 'tidings_jobs_finished_total', { type: 'Quick', status: 'Completed' }) === 2 &&
        delta(m, 'tidings_jobs_finished_total', { type: 'Broken', status: 'Failed' }) === 1 &&
        delta(m, 'tidings_jobs_finished_total', { type: 'Slow', status: 'Cancelled' }) === 1,
      15_000,
      'two completed, one failed, one cancelled',
    );
    assert.equal(now.value('tidings_jobs', { type: 'Slow', status: 'Running' }), 0, 'the cancelled job no longer counts as running');
    assert.equal(now.value('tidings_jobs', { status: 'Pending' }), 0);
    assert.equal(delta(now, 'tidings_job_events_total', { kind: 'created' }), 4);
    assert.equal(delta(now, 'tidings_job_events_total', { kind: 'completed' }), 2);
    assert.equal(delta(now, 'tidings_job_events_total', { kind: 'failed' }), 1);
    assert.equal(delta(now, 'tidings_job_events_total', { kind: 'cancelled' }), 1);
    assert.equal(delta(now, 'tidings_job_events_total', { kind: 'retrying' }), 1);
    // Broken: one automatic retry, then failed; two attempts, so two starts waited in the queue.
    assert.equal(delta(now, 'tidings_job_retries_total', { type: 'Broken', trigger: 'automatic' }), 1);
    assert.equal(delta(now, 'tidings_job_queue_wait_seconds_count', { type: 'Broken' }), 2);
    assert.equal(delta(now, 'tidings_job_queue_wait_seconds_count', { type: 'Quick' }), 2);
    assert.equal(delta(now, 'tidings_job_run_duration_seconds_count', { type: 'Quick', status: 'Completed' }), 2);
    assert.equal(delta(now, 'tidings_job_run_duration_seconds_count', { type: 'Slow', status: 'Cancelled' }), 1);
    assert.ok(delta(now, 'tidings_job_run_duration_seconds_sum', { type: 'Slow', status: 'Cancelled' }) >= 0);
    // The fragile plugin's reaction to the failure threw once.
    assert.equal(delta(now, 'tidings_job_sink_failures_total'), 1);
    assert.ok(now.declares('tidings_job_recoveries_total', 'counter'));
    // Both clients left: no connection open, two durations recorded.
    assert.equal(now.value('signalr_server_active_connections', hub), 0);
    assert.equal(delta(now, 'signalr_server_connection_duration_seconds_count', hub), 2);

    // Bounded labels: no job id anywhere in the scrape.
    for (const id of [slow.id, broken.id, ...quick.map((j) => j.id)]) assert.ok(!now.text.includes(id), `job id ${id} is not in /metrics`);
  });

  it('counts a requested retry', async () => {
    const { service } = fixture;
    const before = await scrape(service.url);
    const job = await service.server.engine.enqueue({ type: 'Broken', ownerId: null });
    await eventually(() => service.server.engine.get(job.id), (j) => j?.status === 'Failed', 10_000, 'Broken failed');
    assert.equal((await service.http(`/api/v1/jobs/${job.id}/retry`, { method: 'POST' })).status, 202);
    const now = await eventually(
      () => scrape(service.url),
      (m) => m.value('tidings_jobs_finished_total', { type: 'Broken', status: 'Failed' }) - before.value('tidings_jobs_finished_total', { type: 'Broken', status: 'Failed' }) === 2,
      10_000,
      'the retried job failed again',
    );
    assert.equal(now.value('tidings_job_retries_total', { type: 'Broken', trigger: 'requested' }) - before.value('tidings_job_retries_total', { type: 'Broken', trigger: 'requested' }), 1);
  });
});

describe('GET /metrics after a crash', () => {
  it('counts the job recovered at the next start, and the jobs left unfinished', async () => {
    const dir = tempDir();
    const processors = { Slow: { processor: untilCancelled } };
    try {
      const first = await startService(dir.path, { processors });
      const job = await first.server.engine.enqueue({ type: 'Slow', ownerId: null });
      const running = await eventually(() => first.server.engine.get(job.id), (j) => j?.status === 'Running', 10_000, 'Slow running');
      await first.close();
      // A crash leaves the job Running in the file (a graceful stop would have made it Pending).
      const store = new SqliteJobStore(join(dir.path, 'tidings.db'));
      await store.saveJob(running!);
      await store.close();

      const second = await startService(dir.path, { processors });
      try {
        const now = await eventually(() => scrape(second.url), (m) => m.value('tidings_job_recoveries_total', { type: 'Slow' }) === 1, 10_000, 'one recovery');
        assert.equal(now.value('tidings_jobs', { type: 'Slow' }), 1, 'the recovered job counts as waiting or running');
      } finally {
        await second.close();
      }
    } finally {
      dir.cleanup();
    }
  });
});

describe('GET /metrics in scaled mode', { skip: redisSkipReason }, () => {
  const scaled = scaledServiceFixture('metrics', { processors: { Quick: { processor: async (_job, ctx) => void (await ctx.stage('Working', 50)) } } });

  it('labels finished jobs and run times with the worker that ran them', async () => {
    const { service } = scaled;
    const worker = service.server.scale!.cluster.nodeId;
    await service.server.engine.enqueue({ type: 'Quick', ownerId: null });
    const now = await eventually(() => scrape(service.url), (m) => m.value('tidings_jobs_finished_total', { type: 'Quick', status: 'Completed' }) === 1, 15_000, 'Quick completed');
    assert.equal(now.value('tidings_jobs_finished_total', { type: 'Quick', status: 'Completed', worker }), 1);
    assert.equal(now.value('tidings_job_run_duration_seconds_count', { type: 'Quick', status: 'Completed', worker }), 1);
    // The backplane's series (from @tidings/redis's BackplaneMetrics): every hub's Redis connections are up.
    assert.equal(now.value('tidings_backplane_redis_connected', { hub: '/hubs/job-progress', role: 'commands' }), 1);
    assert.equal(now.value('tidings_backplane_redis_connected', { hub: '/hubs/job-progress', role: 'subscriber' }), 1);
  });
});
