import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { JobProcessor } from '../src/index.js';
import { Gate, harness, tempDir, waitFor } from './support/harness.js';

const steps = [
  { name: 'Video ingestion', type: 'Ingest', weight: 1 },
  { name: 'Transcription', type: 'Transcribe', weight: 2 },
  { name: 'Embedding generation', type: 'Embed', weight: 1 },
];

function staged(stages: string[], result: Record<string, number>): JobProcessor {
  return async (_job, ctx) => {
    for (const [i, name] of stages.entries()) await ctx.stage(name, (i * 100) / stages.length, `${name}…`);
    return { message: `${stages.at(-1)} done`, result };
  };
}

describe('flows: a parent whose steps run one after another', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('runs the steps in order; the parent aggregates progress, stages and results', async (t) => {
    const h = harness(dir.path, { throttleIntervalMs: 0 });
    t.after(() => h.close());
    const seen: unknown[] = [];
    h.engine.define('Ingest', staged(['Downloading'], { seconds: 90 }));
    h.engine.define('Transcribe', async (job, ctx) => {
      seen.push(ctx.previousResult);
      await ctx.stage('Transcribing audio', 40);
      return { result: { segments: 12 } };
    });
    h.engine.define('Embed', async (_job, ctx) => {
      seen.push(ctx.previousResult);
      await ctx.stage('Generating embeddings', 50);
    });
    await h.engine.start();
    const { parent, children } = await h.engine.enqueueFlow({ type: 'Video', ownerId: 'u1', subject: 'video-1', priority: 2, metadata: { url: 'x' }, steps });
    assert.equal(children.length, 3);
    assert.deepEqual(children.map((c) => [c.parentId, c.subject, c.ownerId, c.priority]), children.map(() => [parent.id, 'video-1', 'u1', 2]));
    await waitFor(() => h.eventsOf(parent.id).some((e) => e.kind === 'completed'), 3000, 'flow completion');
    assert.deepEqual(seen, [{ seconds: 90 }, { segments: 12 }]);
    const events = h.eventsOf(parent.id);
    assert.deepEqual(events.map((e) => e.sequence), events.map((_, i) => i + 1));
    const progress = events.map((e) => e.job.progress);
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b), 'parent progress never goes back');
    const stages = new Set(events.map((e) => e.job.currentStage));
    for (const name of ['Downloading', 'Transcribing audio', 'Generating embeddings']) assert.ok(stages.has(name), `parent showed ${name}`);
    // Transcription at 40% of a weight-2 step (of 4): 25 + 0.4 × 50 = 45.
    assert.ok(events.some((e) => e.job.progress === 45 && e.job.currentStage === 'Transcribing audio'));
    const done = (await h.engine.get(parent.id))!;
    assert.equal(done.status, 'Completed');
    assert.deepEqual(done.stages.map((s) => [s.name, s.status, s.progress]), steps.map((s) => [s.name, 'Completed', 100]));
    assert.deepEqual(done.result, { 'Video ingestion': { seconds: 90 }, Transcription: { segments: 12 }, 'Embedding generation': null });
    assert.deepEqual((await h.engine.list({ subject: 'video-1', parentId: null })).map((j) => j.id), [parent.id]);
    assert.deepEqual((await h.engine.children(parent.id)).map((c) => c.status), ['Completed', 'Completed', 'Completed']);
  });

  it('fails the flow with the failing step, and does not run the steps after it; a retry resumes at that step', async (t) => {
    const h = harness(dir.path, { throttleIntervalMs: 0 });
    t.after(() => h.close());
    let broken = true;
    const ran: string[] = [];
    h.engine.define('Ingest', async () => void ran.push('Ingest'));
    h.engine.define('Transcribe', async (_job, ctx) => {
      ran.push('Transcribe');
      await ctx.stage('Transcribing audio', 40);
      if (broken) throw new Error('Whisper crashed');
    });
    h.engine.define('Embed', async () => void ran.push('Embed'));
    await h.engine.start();
    const { parent, children } = await h.engine.enqueueFlow({ type: 'Video', steps });
    await waitFor(() => h.eventsOf(parent.id).some((e) => e.kind === 'failed'), 3000, 'flow failure');
    await waitFor(() => h.eventsOf(children[2]!.id).some((e) => e.kind === 'cancelled'), 3000, 'later step cancelled');
    const failed = (await h.engine.get(parent.id))!;
    assert.equal(failed.error, 'Transcription failed: Whisper crashed');
    assert.equal(failed.canRetry, true);
    assert.deepEqual(failed.stages.map((s) => s.status), ['Completed', 'Failed', 'Cancelled']);
    assert.equal(failed.stages[1]!.errorMessage, 'Whisper crashed');
    assert.deepEqual(ran, ['Ingest', 'Transcribe']);
    assert.match((await h.engine.get(children[2]!.id))!.statusMessage!, /Not run: step 'Transcription' ended failed/);

    broken = false;
    await h.engine.retry(children[1]!.id); // retrying a step retries its flow
    await waitFor(() => h.eventsOf(parent.id).some((e) => e.kind === 'completed'), 3000, 'flow completion');
    assert.deepEqual(ran, ['Ingest', 'Transcribe', 'Transcribe', 'Embed'], 'the completed step did not run again');
    const done = (await h.engine.get(parent.id))!;
    assert.equal(done.retryCount, 1);
    assert.equal((await h.engine.get(children[1]!.id))!.retryCount, 1);
  });

  it('cancelling the flow aborts the running step and cancels the rest', async (t) => {
    const h = harness(dir.path, { throttleIntervalMs: 0 });
    t.after(() => h.close());
    const gate = new Gate();
    let aborted = false;
    h.engine.define('Ingest', async (_job, ctx) => {
      await ctx.stage('Downloading', 10);
      ctx.signal.addEventListener('abort', () => {
        aborted = true;
        gate.release();
      });
      await gate.wait();
      ctx.signal.throwIfAborted();
    });
    h.engine.define('Transcribe', async () => {});
    h.engine.define('Embed', async () => {});
    await h.engine.start();
    const { parent, children } = await h.engine.enqueueFlow({ type: 'Video', steps });
    await waitFor(() => h.eventsOf(parent.id).some((e) => e.job.currentStage === 'Downloading'), 3000, 'running');
    await h.engine.cancel(parent.id);
    assert.ok(aborted);
    await h.engine.stop();
    assert.deepEqual((await h.engine.children(parent.id)).map((c) => c.status), ['Cancelled', 'Cancelled', 'Cancelled']);
    assert.equal((await h.engine.get(parent.id))!.status, 'Cancelled');
    assert.equal(h.eventsOf(parent.id).filter((e) => e.kind === 'cancelled').length, 1);
    assert.equal(h.eventsOf(children[0]!.id).at(-1)!.kind, 'cancelled');
  });

  it('cancelling a step cancels its flow', async (t) => {
    const h = harness(dir.path, { throttleIntervalMs: 0 });
    t.after(() => h.close());
    const gate = new Gate();
    h.engine.define('Ingest', async () => gate.wait());
    h.engine.define('Transcribe', async () => {});
    h.engine.define('Embed', async () => {});
    await h.engine.start();
    const { parent, children } = await h.engine.enqueueFlow({ type: 'Video', steps });
    await waitFor(() => gate.waiting === 1, 3000, 'running');
    await h.engine.cancel(children[0]!.id);
    gate.release();
    await waitFor(() => h.eventsOf(children[2]!.id).some((e) => e.kind === 'cancelled'), 3000, 'last step cancelled');
    const cancelled = (await h.engine.get(parent.id))!;
    assert.equal(cancelled.status, 'Cancelled');
    assert.equal(cancelled.statusMessage, 'Video ingestion was cancelled');
  });
});
