import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { demoProcessors } from '../src/index.js';
import type { JobCompleted, JobFailed, JobProgressUpdate, Notification, VideoProgressUpdate } from '../src/index.js';
import { type RunningService, SEED_VIDEO_URL, TRANSPORT_CASES, connect, record, startService, tempDir, waitFor } from './support/service.js';

describe('cancel, failure and retry', () => {
  const dir = tempDir();
  let service: RunningService;
  let transcriptionBroken = false;
  before(async () => {
    const demo = demoProcessors({ speed: 4 });
    const transcription = demo.Transcription!;
    service = await startService(dir.path, {
      processors: {
        ...demo,
        Transcription: {
          options: { ...transcription.options, maxRetries: 0 },
          processor: async (job, ctx) => {
            if (transcriptionBroken) {
              await ctx.stage('Starting transcription process', 0, 'Initializing transcription job');
              throw new Error('Whisper model file is missing');
            }
            return transcription.processor(job, ctx);
          },
        },
      },
      throttleIntervalMs: 200,
    });
  });
  after(async () => {
    await service.close();
    dir.cleanup();
  });

  it('cancels a pipeline mid-run: a Cancelled status event, and REST agrees', async () => {
    const connection = await connect(service.hubUrl, TRANSPORT_CASES[0]!);
    try {
      const updates = record<JobProgressUpdate>(connection, 'JobProgressUpdate');
      const videos = record<VideoProgressUpdate>(connection, 'VideoProgressUpdate');
      const ingest = await service.http('/api/v1/videos/ingest', { body: { url: `${SEED_VIDEO_URL}&cancel`, userId: 'u-cancel' } });
      const { jobId, videoId } = ingest.body as { jobId: string; videoId: string };
      await connection.invoke('SubscribeToJob', jobId);
      await connection.invoke('SubscribeToVideo', videoId);
      await waitFor(() => updates.some((u) => u.currentStage === 'Extracting audio'), 10_000, 'transcription under way');

      const cancel = await service.http(`/api/v1/jobs/${jobId}/cancel`, { method: 'POST' });
      assert.equal(cancel.status, 200);
      assert.equal(cancel.body.status, 'Cancelled');
      await waitFor(() => updates.at(-1)?.status === 'Cancelled', 3000, 'the Cancelled status event');
      const last = updates.at(-1)!;
      assert.equal(last.jobId, jobId);
      assert.equal(last.statusMessage, 'Cancelled');

      const job = await service.http(`/api/v1/jobs/${jobId}`);
      assert.equal(job.body.status, 'Cancelled');
      assert.equal(job.body.sequence, last.sequence);
      assert.deepEqual(job.body.stages.map((s: { status: string }) => s.status), ['Completed', 'Cancelled', 'Cancelled']);
      await waitFor(() => videos.at(-1)?.processingStatus === 'Cancelled', 3000, 'video cancelled');
      const steps = (await service.http(`/api/v1/jobs?videoId=${videoId}`)).body.jobs as { jobType: string; status: string }[];
      const byType = Object.fromEntries(steps.map((s) => [s.jobType, s.status]));
      assert.deepEqual(byType, { VideoProcessing: 'Cancelled', VideoIngestion: 'Completed', Transcription: 'Cancelled', EmbeddingGeneration: 'Cancelled' });
      const progressBefore = job.body.progress;
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await service.http(`/api/v1/jobs/${jobId}`)).body.progress, progressBefore, 'nothing moves after the cancel');

      const again = await service.http(`/api/v1/jobs/${jobId}/cancel`, { method: 'POST' });
      assert.equal(again.status, 409);
      assert.match(again.body.message, /already Cancelled/);
    } finally {
      await connection.stop();
    }
  });

  it('a failing step → JobFailed with the error (and the owner is notified); a retry completes the pipeline', async () => {
    const token = (await service.http('/api/v1/auth/dev-token', { body: { userId: 'u-fail' } })).body.token as string;
    const connection = await connect(service.hubUrl, TRANSPORT_CASES[0]!, { accessToken: token });
    try {
      const failed = record<JobFailed>(connection, 'JobFailed');
      const completed = record<JobCompleted>(connection, 'JobCompleted');
      const notifications = record<Notification>(connection, 'UserNotification');
      transcriptionBroken = true;
      const ingest = await service.http('/api/v1/videos/ingest', { body: { url: `${SEED_VIDEO_URL}&broken-once` /* not "fail": the demo fails such URLs on request */ }, token });
      assert.equal(ingest.body.userId, 'u-fail', 'the job belongs to the token user');
      const { jobId } = ingest.body as { jobId: string };
      await connection.invoke('SubscribeToJob', jobId);

      await waitFor(() => failed.some((f) => f.jobId === jobId), 10_000, 'JobFailed for the pipeline');
      const failure = failed.find((f) => f.jobId === jobId)!;
      assert.equal(failure.error, 'Transcription failed: Whisper model file is missing');
      assert.equal(failure.message, 'Job failed');
      assert.equal(failure.canRetry, true);
      assert.equal(typeof failure.failedAt, 'string');
      // The owner's user group also hears of the failing step itself.
      assert.ok(failed.some((f) => f.jobId !== jobId && f.error === 'Whisper model file is missing'));
      await waitFor(() => notifications.some((n) => n.type === 'JobFailed'), 3000, 'UserNotification');
      const notice = notifications.find((n) => n.type === 'JobFailed')!;
      assert.match(notice.message, /^Video processing failed: Transcription failed/);
      assert.equal(notice.data.jobId, jobId);

      const rest = await service.http(`/api/v1/jobs/${jobId}`, { token });
      assert.equal(rest.body.status, 'Failed');
      assert.equal(rest.body.errorMessage, 'Transcription failed: Whisper model file is missing');
      assert.equal(rest.body.stages[1].errorMessage, 'Whisper model file is missing');

      transcriptionBroken = false;
      const retry = await service.http(`/api/v1/jobs/${jobId}/retry`, { method: 'POST', token });
      assert.equal(retry.status, 202);
      assert.equal(retry.body.status, 'Pending');
      assert.equal(retry.body.retryCount, 1);
      await waitFor(() => completed.some((c) => c.jobId === jobId), 15_000, 'JobCompleted after the retry');
      const done = await service.http(`/api/v1/jobs/${jobId}`, { token });
      assert.equal(done.body.status, 'Completed');
      assert.equal(done.body.errorMessage, null);
      await waitFor(() => notifications.some((n) => n.type === 'JobCompleted' && n.data.jobId === jobId), 3000, 'completion notice');

      const again = await service.http(`/api/v1/jobs/${jobId}/retry`, { method: 'POST', token });
      assert.equal(again.status, 409);
    } finally {
      await connection.stop();
    }
  });
});
