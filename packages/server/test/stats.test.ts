import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { type RunningService, awaitCompletion, eventually, serviceFixture, startService, tempDir } from './support/service.js';

interface Stats {
  jobs: { byStatus: Record<string, number>; capped: boolean; types: string[] };
  throughput: { minuteMs: number; minutes: { at: string; completed: number; failed: number }[] };
  queue: { running: number; queued: number; delayed: number; oldestWaitingMs: number | null; meanWaitMs: number | null };
  events: { stored: number; sinkFailures: number };
  hubs: { path: string; connections: number; transports: Record<string, number> }[];
  cluster: { nodeId: string; nodes: { nodeId: string; lastHeartbeatAt: string | null; connections: number }[]; workers: { name: string; lastSeenAt: string | null }[] } | null;
}

async function ingest(service: RunningService, url: string): Promise<string> {
  const response = await service.http('/api/v1/videos/ingest', { body: { url, userId: 'stats-test' } });
  assert.equal(response.status, 202);
  return (response.body as { jobId: string }).jobId;
}

/** Every job (steps included) and its events of `kind`, from the REST history: what a count of job events gives. */
async function eventCount(service: RunningService, kind: string): Promise<number> {
  const jobs = (await service.http('/api/v1/jobs?limit=500')).body.jobs as { jobId: string }[];
  let n = 0;
  for (const job of jobs) {
    const history = (await service.http(`/api/v1/jobs/${job.jobId}/events?after=0&limit=1000`)).body.events as { kind: string }[];
    n += history.filter((e) => e.kind === kind).length;
  }
  return n;
}

describe('GET /api/v1/stats', () => {
  const fixture = serviceFixture({ config: { demoSpeed: 20 } });

  it('counts jobs by status and the last hour by minute as the job events do, and a URL containing "fail" fails in transcription', async () => {
    const { service } = fixture;
    const ok = await ingest(service, 'https://videos.example/stats-ok');
    const failing = await ingest(service, 'https://videos.example/please-fail');
    await awaitCompletion(service, ok);
    const failed = await eventually(() => service.http(`/api/v1/jobs/${failing}`), (r) => r.body.status === 'Failed', 20_000, 'the failing video to fail');
    assert.match(failed.body.errorMessage, /Simulated failure in 'Transcribing audio'.*"fail"/);
    assert.equal(failed.body.stages.find((s: { status: string }) => s.status === 'Failed')?.name, 'Transcription');

    const response = await service.http('/api/v1/stats');
    assert.equal(response.status, 200);
    const stats = response.body as Stats;
    // The pipeline and its three steps are jobs: 4 completed; the failing pipeline and its Transcription step failed.
    assert.equal(stats.jobs.byStatus.Completed, 5, 'four of the good video, and the failing one\'s ingestion step');
    assert.equal(stats.jobs.byStatus.Failed, 2);
    assert.equal(stats.jobs.byStatus.Running + stats.jobs.byStatus.Pending, 0);
    assert.ok(stats.jobs.types.includes('VideoProcessing'));
    assert.equal(stats.throughput.minutes.length, 60);
    const sum = (k: 'completed' | 'failed') => stats.throughput.minutes.reduce((n, m) => n + m[k], 0);
    assert.equal(sum('completed'), await eventCount(service, 'completed'));
    assert.equal(sum('failed'), await eventCount(service, 'failed'));
    assert.equal(sum('failed'), 2);
    // One source with /metrics: the same counts as its finished-jobs counter (all types, this process's life).
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    const finished = (status: string) =>
      metrics
        .split('\n')
        .filter((line) => line.startsWith('tidings_jobs_finished_total{') && line.includes(`status="${status}"`))
        .reduce((n, line) => n + Number(line.split(' ').at(-1)), 0);
    assert.equal(finished('Completed'), sum('completed'));
    assert.equal(finished('Failed'), sum('failed'));
    assert.equal(stats.queue.queued, 0);
    assert.equal(typeof stats.queue.meanWaitMs, 'number');
    assert.ok(stats.events.stored > 0);
    assert.deepEqual(stats.hubs.map((h) => h.path), ['/hubs/job-progress']);
    assert.deepEqual(stats.hubs[0]!.transports, {}, 'no client is connected');
    assert.equal(stats.cluster, null);
  });

  it('fills the last hour from the store after a restart', async () => {
    const { service } = fixture;
    const before = (await service.http('/api/v1/stats')).body as Stats;
    const dataDir = service.server.config.dataDir;
    await service.close();
    const again = await startService(dataDir, { config: { demoSpeed: 20 } });
    try {
      const after = (await again.http('/api/v1/stats')).body as Stats;
      assert.deepEqual(after.jobs.byStatus, before.jobs.byStatus);
      assert.deepEqual(
        after.throughput.minutes.map((m) => m.completed + m.failed).reduce((a, b) => a + b),
        before.throughput.minutes.map((m) => m.completed + m.failed).reduce((a, b) => a + b),
      );
    } finally {
      await again.close();
    }
  });
});

describe('GET /api/v1/stats with JWT', () => {
  it('asks for a token, as the jobs list does', async () => {
    const dir = tempDir();
    const service = await startService(dir.path, { config: { jwtSecret: 'a-secret-of-at-least-32-characters-long!' } });
    try {
      const response = await service.http('/api/v1/stats');
      assert.equal(response.status, 401);
      assert.equal((await service.http('/api/v1/jobs')).status, 401);
    } finally {
      await service.close();
      dir.cleanup();
    }
  });
});

describe('GET /api/v1/stats in scaled mode', { skip: redisSkipReason }, () => {
  it('lists the API nodes from the backplane and the workers from BullMQ, with their last heartbeat, and counts the jobs the worker ran', async () => {
    const redis = await startRedisServer();
    const dir = tempDir();
    const service = await startService(dir.path, { config: { redisUrl: redis.url, role: 'all', redisPrefix: 'stats-test', demoSpeed: 20 } });
    try {
      const jobId = await ingest(service, 'https://videos.example/scaled-stats');
      await awaitCompletion(service, jobId);
      const stats = await eventually(
        async () => (await service.http('/api/v1/stats')).body as Stats,
        (s) => s.throughput.minutes.reduce((n, m) => n + m.completed, 0) === 4,
        10_000,
        'the four completions in the last hour',
      );
      const nodeId = service.server.scale!.cluster.nodeId;
      assert.equal(stats.cluster?.nodeId, nodeId);
      const node = stats.cluster!.nodes.find((n) => n.nodeId === nodeId);
      assert.ok(node && node.lastHeartbeatAt !== null, `this node is listed: ${JSON.stringify(stats.cluster)}`);
      const worker = stats.cluster!.workers.find((w) => w.name === nodeId);
      assert.ok(worker && worker.lastSeenAt !== null, `this process's worker is listed: ${JSON.stringify(stats.cluster)}`);
      assert.equal(stats.jobs.byStatus.Completed, 4);
    } finally {
      await service.close();
      await redis.stop();
      dir.cleanup();
    }
  });
});
