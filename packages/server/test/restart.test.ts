import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobProgressUpdate, Notification } from '../src/index.js';
import { spawnService } from './support/process.js';
import { SEED_VIDEO_URL, TRANSPORT_CASES, awaitCompletion, closed, connect, eventually, record, startService, tempDir, waitFor, within } from './support/service.js';

interface EventDto {
  sequence: number;
  kind: string;
  job: { jobType: string; currentStage: string | null; status: string; statusMessage: string | null };
}

async function historyOf(http: (path: string) => Promise<{ body: any }>, jobId: string): Promise<EventDto[]> {
  return (await http(`/api/v1/jobs/${jobId}/events?after=0&limit=1000`)).body.events as EventDto[];
}

function assertIntact(events: EventDto[], what: string): void {
  const sequences = events.map((e) => e.sequence);
  assert.deepEqual(sequences, sequences.map((_, i) => i + 1), `${what}: sequences 1..n with no gap`);
}

/** Ingests and waits (over REST) until transcription is transcribing. */
async function ingestAndWaitForTranscription(base: string): Promise<{ jobId: string; transcriptionId: string }> {
  const ingest = await fetch(`${base}/api/v1/videos/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: SEED_VIDEO_URL, userId: 'restart-user' }),
  });
  assert.equal(ingest.status, 202);
  const body = (await ingest.json()) as { jobId: string; jobs: { jobId: string; jobType: string }[] };
  const transcriptionId = body.jobs.find((j) => j.jobType === 'Transcription')!.jobId;
  await eventually(
    async () => ((await (await fetch(`${base}/api/v1/jobs/${transcriptionId}`)).json()) as { currentStage: string | null }).currentStage,
    (stage) => stage === 'Transcribing audio',
    20_000,
    'the transcription to be transcribing',
  );
  return { jobId: body.jobId, transcriptionId };
}

describe('restarting the service mid-job', () => {
  it('graceful stop: the job is interrupted at a checkpoint, resumes after the restart, and its history is intact', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const first = await startService(dir.path, { config: { demoSpeed: 6 } });
    const client = await connect(first.hubUrl, TRANSPORT_CASES[0]!);
    const broadcasts = record<Notification>(client, 'BroadcastNotification');
    const clientClosed = closed(client);
    const { jobId, transcriptionId } = await ingestAndWaitForTranscription(first.url);
    await first.close();
    await within(clientClosed, 5000, 'the client to be closed by the server');
    assert.deepEqual(broadcasts.map((b) => b.type), ['ServerShutdown']);

    const second = await startService(dir.path, { config: { demoSpeed: 15 } });
    t.after(() => second.close());
    const interrupted = await historyOf(second.http, transcriptionId);
    const stop = interrupted.findIndex((e) => e.kind === 'interrupted');
    assert.ok(stop > 0, 'the transcription was interrupted, and said so');
    assert.equal(interrupted[stop]!.job.statusMessage, 'Interrupted by a shutdown; resumes after the restart');

    await awaitCompletion(second, jobId);
    const pipeline = await historyOf(second.http, jobId);
    const transcription = await historyOf(second.http, transcriptionId);
    assertIntact(pipeline, 'pipeline');
    assertIntact(transcription, 'transcription');
    assert.ok(pipeline.some((e) => e.kind === 'interrupted'));
    assert.equal(pipeline.at(-1)!.kind, 'completed');
    const extracting = transcription.filter((e) => e.kind === 'stage' && e.job.currentStage === 'Extracting audio');
    assert.equal(extracting.length, 1, 'stages done before the stop were not run again (checkpoint)');
  });

  it('SIGTERM: the process lets the job checkpoint, sends Close to clients and exits 0', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const service = await spawnService({ DATA_DIR: dir.path, DEMO_SPEED: '6' });
    t.after(() => service.kill());
    const client = await connect(`${service.url}/hubs/job-progress`, TRANSPORT_CASES[1]!);
    const updates = record<JobProgressUpdate>(client, 'JobProgressUpdate');
    const clientClosed = closed(client);
    const { jobId } = await ingestAndWaitForTranscription(service.url);
    await client.invoke('SubscribeToJob', jobId);
    service.child.kill('SIGTERM');
    assert.equal(await within(service.exited, 15_000, 'exit'), 0, service.output());
    await within(clientClosed, 5000, 'the client closed');
    await waitFor(() => updates.at(-1)?.statusMessage === 'Interrupted by a shutdown; resumes after the restart', 1000, 'the interruption event');
    assert.match(service.output(), /shutting down: letting running jobs checkpoint/);

    const restarted = await startService(dir.path, { config: { demoSpeed: 15 } });
    t.after(() => restarted.close());
    await awaitCompletion(restarted, jobId);
    assertIntact(await historyOf(restarted.http, jobId), 'pipeline');
  });

  it('SIGKILL (a crash): the running job is recovered at the next start, as the README says, with its history intact', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const service = await spawnService({ DATA_DIR: dir.path, DEMO_SPEED: '6' });
    t.after(() => service.kill());
    const { jobId, transcriptionId } = await ingestAndWaitForTranscription(service.url);
    service.child.kill('SIGKILL');
    await within(service.exited, 5000, 'the kill');

    const restarted = await startService(dir.path, { config: { demoSpeed: 15 } });
    t.after(() => restarted.close());
    await awaitCompletion(restarted, jobId);
    const transcription = await historyOf(restarted.http, transcriptionId);
    assertIntact(transcription, 'transcription');
    assertIntact(await historyOf(restarted.http, jobId), 'pipeline');
    const recovered = transcription.find((e) => e.kind === 'recovered');
    assert.ok(recovered, 'a recovered event');
    assert.equal(recovered.job.status, 'Pending');
    assert.equal(recovered.job.statusMessage, 'Recovered after a restart; resuming');
    const before = transcription.slice(0, transcription.indexOf(recovered));
    assert.ok(before.some((e) => e.job.currentStage === 'Transcribing audio'), 'the events before the crash are kept');
    assert.equal(transcription.at(-1)!.kind, 'completed');
    assert.equal(transcription.filter((e) => e.kind === 'stage' && e.job.currentStage === 'Extracting audio').length, 1, 'resumed from the checkpoint');
  });
});
