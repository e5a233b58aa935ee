import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JobCompleted, JobProgressUpdate, VideoProgressUpdate } from '../src/index.js';
import {
  EMBEDDING_STAGES,
  type RunningService,
  SEED_VIDEO_URL,
  TRANSCRIPTION_STAGES,
  TRANSPORT_CASES,
  connect,
  gatedDemo,
  nonDecreasing,
  record,
  strictlyIncreasing,
  startService,
  tempDir,
  waitFor,
} from './support/service.js';

describe('seed 001 pipeline with the official client', () => {
  const dir = tempDir();
  const demo = gatedDemo(10);
  let service: RunningService;
  before(async () => {
    service = await startService(dir.path, { processors: demo.processors });
  });
  after(async () => {
    await service.close();
    dir.cleanup();
  });

  for (const clientCase of TRANSPORT_CASES) {
    it(`ingest → SubscribeToJob → ordered progress → JobCompleted over ${clientCase.name}`, async () => {
      const videoUrl = `${SEED_VIDEO_URL}&transport=${clientCase.name}`;
      const connection = await connect(service.hubUrl, clientCase);
      try {
        const updates = record<JobProgressUpdate>(connection, 'JobProgressUpdate');
        const completed = record<JobCompleted>(connection, 'JobCompleted');
        const errors = record<unknown>(connection, 'Error');

        // Seed 001 §6 Step 3, the curl body as written.
        const ingest = await service.http('/api/v1/videos/ingest', { body: { url: videoUrl, userId: 'test-user-123', priority: 1 } });
        assert.equal(ingest.status, 202);
        const { jobId, videoId } = ingest.body as { jobId: string; videoId: string };
        assert.equal(ingest.headers.get('location'), `/api/v1/jobs/${jobId}`);

        await connection.invoke('SubscribeToJob', jobId);
        await waitFor(() => updates.length === 1, 2000, 'the current status, sent on subscribe');
        assert.ok(['Pending', 'Running'].includes(updates[0]!.status), 'nothing has happened yet: the ingestion step waits at its gate');
        assert.ok(updates[0]!.progress === 0);
        assert.equal(updates[0]!.jobId, jobId);
        demo.open(videoUrl);

        await waitFor(() => completed.length === 1, 15_000, 'JobCompleted');
        assert.deepEqual(errors, []);
        const sequences = updates.map((u) => u.sequence);
        assert.ok(strictlyIncreasing([...sequences, completed[0]!.sequence]), `sequences ${sequences} then ${completed[0]!.sequence}`);
        assert.ok(nonDecreasing(updates.map((u) => u.progress)), `progress ${updates.map((u) => u.progress)}`);
        const stages = updates.map((u) => u.currentStage);
        const order = (names: string[]) => names.map((n) => stages.indexOf(n));
        assert.ok(order(TRANSCRIPTION_STAGES).every((i) => i >= 0), `every transcription stage of the seed was seen: ${[...new Set(stages)].join(' | ')}`);
        assert.ok(strictlyIncreasing(order(TRANSCRIPTION_STAGES)), 'in the seed order');
        assert.ok(strictlyIncreasing(order(EMBEDDING_STAGES)), 'embedding stages in the seed order');
        assert.ok(order(EMBEDDING_STAGES)[0]! > order(TRANSCRIPTION_STAGES).at(-1)!, 'embeddings after transcription');
        for (const update of updates) {
          assert.equal(update.videoId, videoId);
          assert.equal(update.jobType, 'VideoProcessing');
          assert.equal(typeof update.updatedAt, 'string');
          assert.deepEqual(update.metadata, { videoId, url: videoUrl });
        }
        assert.ok(updates.some((u) => u.statusMessage === 'Running Whisper transcription on audio file'));
        assert.ok(updates.some((u) => /^Processed \d+\/\d+ segments$/.test(u.statusMessage ?? '')));
        assert.deepEqual(
          { ...completed[0], completedAt: undefined },
          { jobId, videoId, status: 'Completed', message: 'Job completed successfully', completedAt: undefined, sequence: completed[0]!.sequence },
        );

        // REST agrees, and the history is every sequence from 1 with nothing missing.
        const job = await service.http(`/api/v1/jobs/${jobId}`);
        assert.equal(job.body.status, 'Completed');
        assert.equal(job.body.progress, 100);
        assert.equal(job.body.sequence, completed[0]!.sequence);
        const history = await service.http(`/api/v1/jobs/${jobId}/events?after=0`);
        const historySequences = (history.body.events as { sequence: number }[]).map((e) => e.sequence);
        assert.deepEqual(historySequences, historySequences.map((_, i) => i + 1));
        assert.ok(sequences.every((s) => historySequences.includes(s)), 'every update sent is in the history');
        const tail = await service.http(`/api/v1/jobs/${jobId}/events?after=${historySequences.length - 2}`);
        assert.deepEqual(tail.body.events.map((e: { sequence: number }) => e.sequence), historySequences.slice(-2));
      } finally {
        await connection.stop();
      }
    });
  }

  it('SubscribeToVideo → VideoProgressUpdate with the pipeline stages; GetVideoProgress and REST agree', async () => {
    const videoUrl = `${SEED_VIDEO_URL}&video=1`;
    const connection = await connect(service.hubUrl, TRANSPORT_CASES[0]!);
    try {
      const videoUpdates = record<VideoProgressUpdate>(connection, 'VideoProgressUpdate');
      const ingest = await service.http('/api/v1/videos/ingest', { body: { url: videoUrl, userId: 'test-user-123' } });
      const { videoId, jobId } = ingest.body as { jobId: string; videoId: string };
      await connection.invoke('SubscribeToVideo', videoId);
      await waitFor(() => videoUpdates.length === 1, 2000, 'the current video status');
      assert.ok(['Pending', 'Processing'].includes(videoUpdates[0]!.processingStatus));
      assert.equal(videoUpdates[0]!.transcriptionStatus, 'NotStarted');
      assert.equal(videoUpdates[0]!.embeddingStatus, 'NotStarted');
      demo.open(videoUrl);
      await waitFor(() => videoUpdates.at(-1)?.processingStatus === 'Completed', 15_000, 'video completed');

      assert.ok(strictlyIncreasing(videoUpdates.map((u) => u.sequence)));
      assert.ok(nonDecreasing(videoUpdates.map((u) => u.overallProgress)));
      assert.ok(videoUpdates.some((u) => u.transcriptionStatus === 'InProgress'));
      assert.ok(videoUpdates.some((u) => u.transcriptionStatus === 'Completed' && u.embeddingStatus === 'InProgress'));
      const last = videoUpdates.at(-1)!;
      assert.equal(last.videoId, videoId);
      assert.equal(last.jobId, jobId);
      assert.equal(last.overallProgress, 100);
      assert.equal(last.embeddingStatus, 'Completed');
      assert.deepEqual(last.stages.map((s) => [s.name, s.status, s.progress]), [
        ['Video ingestion', 'Completed', 100],
        ['Transcription', 'Completed', 100],
        ['Embedding generation', 'Completed', 100],
      ]);
      for (const stage of last.stages) assert.ok(stage.startedAt && stage.completedAt && stage.errorMessage === null);

      const viaHub = await connection.invoke<VideoProgressUpdate>('GetVideoProgress', videoId);
      assert.deepEqual(viaHub, last);
      const viaRest = await service.http(`/api/v1/videos/${videoId}/progress`);
      assert.deepEqual(viaRest.body, last);
      const job = await connection.invoke<JobProgressUpdate>('GetJobProgress', jobId);
      assert.equal(job.status, 'Completed');
      assert.equal(job.sequence, last.sequence);

      await connection.invoke('UnsubscribeFromVideo', videoId);
      const steps = (await service.http(`/api/v1/jobs?videoId=${videoId}`)).body.jobs as { jobType: string; status: string }[];
      assert.deepEqual(steps.map((s) => s.status), ['Completed', 'Completed', 'Completed', 'Completed']);
    } finally {
      await connection.stop();
    }
  });
});
