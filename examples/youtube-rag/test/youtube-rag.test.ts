import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEED_VIDEO_URL, TRANSPORT_CASES, connect, gatedDemo, record, serviceFixture, signalR, strictlyIncreasing, waitFor } from '../../../packages/server/test/support/service.js';
import { type JobCancelledMessage, type JobCompletedDto, type JobProgressDto, type JobStatusDto, youtubeRagPlugin } from '../src/index.js';

/** The service with the YoutubeRag plugin only. */
function youtubeRagFixture(options: Parameters<typeof serviceFixture>[0] = {}) {
  return serviceFixture({ ...options, plugins: [youtubeRagPlugin()] });
}

interface ErrorMessage {
  code: string;
  message: string;
}

/**
 * Seed 000 §6's JobProgressClient, as the seed writes it (only the base URL
 * and the token come from the test; handlers record instead of rendering).
 */
class JobProgressClient {
  private connection: signalR.HubConnection;
  private connectionPromise: Promise<void>;
  readonly progress: JobProgressDto[] = [];
  readonly completed: JobCompletedDto[] = [];
  readonly cancelled: JobCancelledMessage[] = [];
  readonly errors: ErrorMessage[] = [];

  constructor(
    private baseUrl: string,
    private accessToken: string,
  ) {
    this.connection = new signalR.HubConnectionBuilder()
      .withUrl(`${baseUrl}/hubs/progress`, {
        accessTokenFactory: () => this.accessToken,
        transport: signalR.HttpTransportType.WebSockets | signalR.HttpTransportType.ServerSentEvents | signalR.HttpTransportType.LongPolling,
      })
      .withAutomaticReconnect({
        nextRetryDelayInMilliseconds: (retryContext) => (retryContext.elapsedMilliseconds < 60000 ? 2000 : 10000),
      })
      .configureLogging(signalR.LogLevel.None)
      .build();
    this.connection.on('onJobProgress', (progress: JobProgressDto) => this.progress.push(progress));
    this.connection.on('onJobCompleted', (completed: JobCompletedDto) => this.completed.push(completed));
    this.connection.on('onJobFailed', () => undefined);
    this.connection.on('onJobCancelled', (cancelled: JobCancelledMessage) => this.cancelled.push(cancelled));
    this.connection.on('onError', (error: ErrorMessage) => this.errors.push(error));
    this.connectionPromise = this.connection.start();
  }

  async subscribeToJob(jobId: string): Promise<void> {
    await this.connectionPromise;
    await this.connection.invoke('subscribeToJob', jobId);
  }

  async unsubscribeFromJob(jobId: string): Promise<void> {
    await this.connectionPromise;
    await this.connection.invoke('unsubscribeFromJob', jobId);
  }

  async cancelJob(jobId: string): Promise<void> {
    await this.connectionPromise;
    await this.connection.invoke('cancelJob', jobId);
  }

  async getActiveJobs(): Promise<JobStatusDto[]> {
    await this.connectionPromise;
    return await this.connection.invoke<JobStatusDto[]>('getActiveJobs');
  }

  on(event: string, handler: (value: never) => void): void {
    this.connection.on(event, handler);
  }

  async disconnect(): Promise<void> {
    await this.connection.stop();
  }
}

describe("YoutubeRag's /hubs/progress on the shared engine", () => {
  const demo = gatedDemo(20);
  const fixture = youtubeRagFixture({ processors: demo.processors });
  const token = async (userId: string) => (await fixture.service.http('/api/v1/auth/dev-token', { body: { userId } })).body.token as string;
  const ingest = async (url: string, userId: string) => {
    const response = await fixture.service.http('/api/v1/videos/ingest', { body: { url, userId } });
    assert.equal(response.status, 202);
    return response.body as { jobId: string; videoId: string; jobs: { jobId: string; jobType: string }[] };
  };

  it('requires a token (JWT required, even in open mode) and refuses tokens that do not verify', async () => {
    const hub = `${fixture.service.url}/hubs/progress`;
    await assert.rejects(connect(hub, TRANSPORT_CASES[0]!), /401/);
    await assert.rejects(connect(hub, TRANSPORT_CASES[0]!, { accessToken: 'not.a.jwt' }), /401/);
    const negotiate = await fetch(`${hub}/negotiate?negotiateVersion=1`, { method: 'POST' });
    assert.equal(negotiate.status, 401);
  });

  it('runs the seed client: status on subscribe, throttled progress to job and user groups, completion with stats; strangers get UNAUTHORIZED', async () => {
    const url = `${SEED_VIDEO_URL}&seed000`;
    const alice = new JobProgressClient(fixture.service.url, await token('alice'));
    const dashboard = new JobProgressClient(fixture.service.url, await token('alice'));
    const bob = new JobProgressClient(fixture.service.url, await token('bob'));
    try {
      const statuses: JobStatusDto[] = [];
      alice.on('onJobStatusUpdate', (status: JobStatusDto) => void statuses.push(status));
      const { jobId, videoId } = await ingest(url, 'alice');

      await alice.subscribeToJob(jobId);
      await waitFor(() => statuses.length === 1, 2000, 'onJobStatusUpdate');
      assert.equal(statuses[0]!.jobId, jobId);
      assert.equal(statuses[0]!.status, 'Running', 'the pipeline runs; its first step waits for the test');

      await bob.subscribeToJob(jobId);
      await bob.cancelJob(jobId);
      await waitFor(() => bob.errors.length === 2, 2000, "bob's errors");
      assert.deepEqual(bob.errors, [
        { code: 'UNAUTHORIZED', message: "You don't have access to this job" },
        { code: 'UNAUTHORIZED', message: "You don't have access to this job" },
      ]);
      assert.deepEqual(
        (await alice.getActiveJobs()).map((j) => j.jobId),
        [jobId],
        'the active job, not its steps',
      );
      assert.deepEqual(await bob.getActiveJobs(), []);

      demo.open(url);
      await waitFor(() => alice.completed.length === 1, 20_000, 'onJobCompleted');
      await waitFor(() => dashboard.completed.length === 1, 2000, 'the dashboard has it too (user group)');

      const completed = alice.completed[0]!;
      assert.equal(completed.jobId, jobId);
      assert.equal(completed.videoId, videoId);
      assert.match(completed.videoTitle ?? '', /Simulated video dQw4w9WgXcQ/);
      assert.match(completed.processingTime, /^\d{2}:\d{2}:\d{2}(\.\d{7})?$/);
      assert.equal(typeof completed.stats.totalSegments, 'number');
      assert.equal(completed.stats.totalEmbeddings, completed.stats.totalSegments);
      assert.match(completed.stats.videoDuration ?? '', /^00:(0[3-9]|1[01]):\d{2}$/);
      assert.match(completed.stats.transcriptionTime ?? '', /^00:00:\d{2}/);
      assert.deepEqual(Object.keys(completed.stats.stageTimings), ['Video ingestion', 'Transcription', 'Embedding generation']);

      assert.ok(alice.progress.length > 3);
      for (const p of alice.progress) {
        assert.deepEqual(Object.keys(p).sort(), ['currentStage', 'estimatedCompletion', 'jobId', 'message', 'progress', 'sequence', 'status', 'timestamp']);
        assert.equal(p.jobId, jobId, 'the user group carries the top-level job, not its steps');
      }
      // Nothing dropped on the way: every stored event after the subscription reached the subscriber, once, in order.
      // (Alice's connection is in her user group from the start, so events before her subscription may reach her too.)
      const sequences = [...alice.progress.map((p) => p.sequence), completed.sequence];
      assert.ok(strictlyIncreasing(sequences));
      const subscribedAt = statuses[0]!.sequence;
      const history = (await fixture.service.http(`/api/v1/jobs/${jobId}/events?after=${subscribedAt}`)).body.events as { sequence: number }[];
      assert.deepEqual(
        sequences.filter((sequence) => sequence > subscribedAt),
        history.map((e) => e.sequence),
      );
      assert.deepEqual(bob.progress, [], 'bob never joined');
      assert.deepEqual(await alice.getActiveJobs(), []);
    } finally {
      await Promise.all([alice.disconnect(), dashboard.disconnect(), bob.disconnect()]);
    }
  });

  it('unsubscribeFromJob stops the events of a step (steps are not sent to the user group)', async () => {
    const url = `${SEED_VIDEO_URL}&seed000-unsubscribe`;
    const alice = new JobProgressClient(fixture.service.url, await token('alice'));
    try {
      const { jobs } = await ingest(url, 'alice');
      const ingestion = jobs.find((j) => j.jobType === 'VideoIngestion')!.jobId;
      const transcription = jobs.find((j) => j.jobType === 'Transcription')!.jobId;
      await alice.subscribeToJob(ingestion);
      await alice.subscribeToJob(transcription);
      await alice.unsubscribeFromJob(transcription);
      demo.open(url);
      await waitFor(() => alice.completed.some((c) => c.jobId === ingestion), 20_000, 'the ingestion step completes');
      await waitFor(() => alice.completed.length === 2, 20_000, 'the pipeline completes');
      assert.ok(alice.progress.some((p) => p.jobId === ingestion));
      assert.equal(alice.progress.filter((p) => p.jobId === transcription).length, 0, 'nothing after unsubscribe');
      assert.equal(alice.completed.filter((c) => c.jobId === transcription).length, 0);
    } finally {
      await alice.disconnect();
    }
  });

  it('cancelJob: the owner cancels (onJobCancelled with cancelledBy to the job group), a stranger cannot', async () => {
    const url = `${SEED_VIDEO_URL}&seed000-cancel`;
    const alice = new JobProgressClient(fixture.service.url, await token('alice'));
    const mallory = new JobProgressClient(fixture.service.url, await token('mallory'));
    try {
      const { jobId } = await ingest(url, 'alice');
      await alice.subscribeToJob(jobId);
      await mallory.cancelJob(jobId);
      await waitFor(() => mallory.errors.length === 1, 2000, "mallory's error");
      assert.equal(mallory.errors[0]!.code, 'UNAUTHORIZED');
      assert.equal((await fixture.service.http(`/api/v1/jobs/${jobId}`)).body.status, 'Running');

      await alice.cancelJob(jobId);
      await waitFor(() => alice.cancelled.some((c) => c.jobId === jobId), 2000, 'onJobCancelled');
      const cancelled = alice.cancelled.find((c) => c.jobId === jobId)!;
      assert.equal(cancelled.cancelledBy, 'alice');
      assert.ok(!Number.isNaN(Date.parse(cancelled.timestamp)));
      assert.equal((await fixture.service.http(`/api/v1/jobs/${jobId}`)).body.status, 'Cancelled');

      await alice.cancelJob(jobId);
      await waitFor(() => alice.errors.length === 1, 2000, 'cancelling twice');
      assert.equal(alice.errors[0]!.code, 'INVALID_STATE');
      assert.deepEqual(mallory.cancelled, []);
    } finally {
      demo.open(url);
      await Promise.all([alice.disconnect(), mallory.disconnect()]);
    }
  });

  it('a malformed id is a VALIDATION_ERROR and a failed invocation; the connection stays usable', async () => {
    const connection = await connect(`${fixture.service.url}/hubs/progress`, TRANSPORT_CASES[2]!, { accessToken: await token('carol') });
    try {
      const errors = record<ErrorMessage>(connection, 'onError');
      await assert.rejects(connection.invoke('subscribeToJob', ''), /HubException: jobId must not be empty/);
      await assert.rejects(connection.invoke('cancelJob', 42), /HubException: jobId must be a string/);
      assert.deepEqual(errors.map((e) => e.code), ['VALIDATION_ERROR', 'VALIDATION_ERROR']);
      assert.deepEqual(await connection.invoke('getActiveJobs'), []);
    } finally {
      await connection.stop();
    }
  });
});

describe('YoutubeRag with JWT_SECRET set', () => {
  const SECRET = 'a-test-secret-of-more-than-32-characters!';
  const fixture = youtubeRagFixture({ config: { jwtSecret: SECRET, demoSpeed: 20 } });
  const sign = async (claims: Record<string, unknown>) => {
    const { SignJWT } = await import('jose');
    return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
  };

  it('takes the user from the UserId claim; a token naming no user is refused', async () => {
    const hub = `${fixture.service.url}/hubs/progress`;
    await assert.rejects(connect(hub, TRANSPORT_CASES[0]!, { accessToken: await sign({ role: 'admin' }) }), /401/);
    const token = await sign({ UserId: 'rag-user' });
    const ingest = await fixture.service.http('/api/v1/videos/ingest', { body: { url: `${SEED_VIDEO_URL}&jwt` }, token });
    assert.equal(ingest.status, 202);
    const client = new JobProgressClient(fixture.service.url, token);
    const stranger = new JobProgressClient(fixture.service.url, await sign({ UserId: 'someone-else' }));
    try {
      await client.subscribeToJob(ingest.body.jobId);
      await stranger.subscribeToJob(ingest.body.jobId);
      await waitFor(() => client.completed.length === 1, 20_000, 'onJobCompleted');
      await waitFor(() => stranger.errors.length === 1, 2000, 'UNAUTHORIZED');
      assert.equal(stranger.errors[0]!.code, 'UNAUTHORIZED');
    } finally {
      await Promise.all([client.disconnect(), stranger.disconnect()]);
    }
  });
});
