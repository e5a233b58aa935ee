import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { ManualClock, SqliteJobStore, type Job, type JobEvent } from '../src/index.js';
import { createJob } from '../src/engine/job-state.js';
import { ProgressNotifier } from '../src/events/progress-notifier.js';
import { silentJobLogger } from '../src/logger.js';
import { tempDir, waitFor } from './support/harness.js';

describe('progress throttling (controlled clock)', () => {
  const dir = tempDir();
  let store: SqliteJobStore;
  before(() => {
    store = new SqliteJobStore(join(dir.path, 'jobs.db'));
  });
  after(async () => {
    await store.close();
    dir.cleanup();
  });

  async function setup() {
    const clock = new ManualClock();
    const notifier = new ProgressNotifier({ store, clock, logger: silentJobLogger, throttleIntervalMs: 1000, progressJump: 5 });
    const delivered: JobEvent[] = [];
    notifier.addSink({ deliver: (e) => void delivered.push(e) });
    const job: Job = createJob(`job-${Math.random()}`, { type: 'T' }, new Date(clock.now()).toISOString(), { maxRetries: 0 });
    await store.insertJobs([job]);
    await notifier.emit(job, 'started');
    await notifier.drain();
    /** Sets progress, reports it, and settles the chain. */
    const report = async (progress: number, stage: string | null = job.currentStage) => {
      job.progress = progress;
      job.currentStage = stage;
      await notifier.progress(job);
      await notifier.drain();
    };
    return { clock, notifier, delivered, job, report };
  }

  it('sends at most one small update per second, and the last one after a pause', async () => {
    const { clock, delivered, report, notifier } = await setup();
    const sentAt: number[] = [];
    notifier.addSink({ deliver: (e) => void (e.kind === 'progress' && sentAt.push(clock.now())) });
    for (let i = 1; i <= 40; i++) {
      clock.advance(100);
      await report(i * 0.1); // 0.1 points every 100 ms: never a jump
    }
    clock.advance(5000); // a pause: the trailing update must go out
    await notifier.drain();
    const progress = delivered.filter((e) => e.kind === 'progress');
    for (let i = 1; i < sentAt.length; i++) assert.ok(sentAt[i]! - sentAt[i - 1]! >= 1000, `updates ${sentAt[i - 1]} and ${sentAt[i]} are < 1 s apart`);
    assert.ok(progress.length <= 5, `${progress.length} updates in 4 s`);
    assert.equal(progress.at(-1)!.job.progress, 4, 'the last update before the pause was not dropped');
    const sequences = delivered.map((e) => e.sequence);
    assert.deepEqual(sequences, sequences.map((_, i) => i + 1), 'sequence runs 1, 2, 3… with no gaps');
  });

  it('sends a stage change and a jump of 5 points at once', async () => {
    const { clock, delivered, report } = await setup();
    clock.advance(10);
    await report(1, 'Extracting audio');
    const before = delivered.length;
    clock.advance(10);
    await report(2, 'Extracting audio'); // small, within the second: waits
    assert.equal(delivered.length, before);
    clock.advance(10);
    await report(2.5, 'Transcribing audio'); // stage change: at once
    assert.equal(delivered.length, before + 1);
    assert.equal(delivered.at(-1)!.kind, 'stage');
    assert.equal(delivered.at(-1)!.job.currentStage, 'Transcribing audio');
    clock.advance(10);
    await report(7.5); // +5 points: at once
    assert.equal(delivered.length, before + 2);
    assert.equal(delivered.at(-1)!.job.progress, 7.5);
  });

  it('sends terminal events at once and drops nothing the terminal event does not carry', async () => {
    const { clock, delivered, report, notifier, job } = await setup();
    clock.advance(10);
    await report(1);
    clock.advance(10);
    await report(2); // waiting
    job.status = 'Completed';
    job.progress = 100;
    const event = await notifier.emit(job, 'completed');
    await notifier.drain();
    assert.equal(event?.kind, 'completed');
    assert.equal(delivered.at(-1)!.kind, 'completed');
    clock.advance(5000);
    await notifier.drain();
    assert.equal(delivered.at(-1)!.kind, 'completed', 'no stale progress after the terminal event');
    assert.equal(clock.pending, 0, 'no timer left behind');
  });

  it('stores what it sends as the job history, in order', async () => {
    const { clock, report, job } = await setup();
    for (let i = 1; i <= 3; i++) {
      clock.advance(1000);
      await report(i);
    }
    const history = await store.listEvents(job.id, 0, 100);
    assert.deepEqual(
      history.map((e) => [e.sequence, e.kind, e.job.progress]),
      [
        [1, 'started', 0],
        [2, 'progress', 1],
        [3, 'progress', 2],
        [4, 'progress', 3],
      ],
    );
    assert.deepEqual((await store.listEvents(job.id, 2, 100)).map((e) => e.sequence), [3, 4]);
    assert.equal((await store.getJob(job.id))!.lastSequence, 4);
  });

  it('a checkpoint saved while an event waits to be stored does not move the sequence back', async () => {
    const { notifier, job } = await setup(); // 'started' is sequence 1
    job.progress = 50;
    const progress = notifier.emit(job, 'progress'); // its sequence (2) is not known yet…
    job.checkpoint = { half: true };
    const checkpoint = notifier.save(job); // …when the checkpoint's copy of the job is taken
    await Promise.all([progress, checkpoint]);
    const saved = (await store.getJob(job.id))!;
    assert.deepEqual([saved.lastSequence, saved.checkpoint], [2, { half: true }]);
    const completed = await notifier.emit(job, 'completed');
    await notifier.drain();
    assert.equal(notifier.metrics.storeFailures, 0);
    assert.equal(completed?.sequence, 3);
    assert.deepEqual((await store.listEvents(job.id, 0, 10)).map((e) => e.sequence), [1, 2, 3]);
  });

  it('keeps going when a sink throws, rejects or hangs: logged and counted', async () => {
    const clock = new ManualClock();
    const warnings: string[] = [];
    const logger = { ...silentJobLogger, warn: (_: object, m?: string) => void warnings.push(m ?? '') };
    const notifier = new ProgressNotifier({ store, clock, logger, sinkTimeoutMs: 50 });
    const good: number[] = [];
    notifier.addSink({ name: 'throws', deliver: () => { throw new Error('boom'); } });
    notifier.addSink({ name: 'rejects', deliver: async () => { throw new Error('boom'); } });
    notifier.addSink({ name: 'hangs', deliver: () => new Promise(() => {}) });
    notifier.addSink({ name: 'good', deliver: (e) => void good.push(e.sequence) });
    const job = createJob(`job-${Math.random()}`, { type: 'T' }, new Date(clock.now()).toISOString(), { maxRetries: 0 });
    await store.insertJobs([job]);
    await notifier.emit(job, 'started');
    await notifier.emit(job, 'completed');
    await waitFor(() => good.length === 2 && notifier.metrics.sinkFailures === 6, 2000, 'both events at the good sink, 6 failures');
    assert.deepEqual(good, [1, 2]);
    assert.equal(warnings.length, 6);
  });
});
