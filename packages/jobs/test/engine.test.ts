import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { InProcessRunner, JobCancelledError, JobStateError, ManualClock, PermanentJobError } from '../src/index.js';
import { Gate, harness, tempDir, waitFor } from './support/harness.js';

describe('job engine', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('runs a job through its stages; every event is sequenced from 1, stored and delivered in order', async (t) => {
    const h = harness(dir.path);
    t.after(() => h.close());
    h.engine.define(
      'Report',
      async (job, ctx) => {
        await ctx.stage('Gathering', 0, 'Collecting rows');
        await ctx.progress(50, 'Half way', { stageProgress: 80 });
        await ctx.stage('Writing', 60, 'Rendering the file');
        return { message: `Report for ${String((job.input as { name: string }).name)} done`, result: { rows: 3 } };
      },
      { stages: ['Gathering', 'Writing', 'Publishing'] },
    );
    await h.engine.start();
    const job = await h.engine.enqueue({ type: 'Report', ownerId: 'u1', input: { name: 'Q1' }, metadata: { source: 'test' } });
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'completed'), 5000, 'completion');
    const delivered = h.eventsOf(job.id);
    assert.deepEqual(delivered.map((e) => e.sequence), delivered.map((_, i) => i + 1));
    assert.deepEqual(delivered.map((e) => e.kind), ['created', 'started', 'stage', 'progress', 'stage', 'completed']);
    const stored = await h.engine.events(job.id);
    assert.deepEqual(stored, delivered, 'history is exactly what was delivered');
    assert.deepEqual((await h.engine.events(job.id, 4)).map((e) => e.sequence), [5, 6]);
    const done = (await h.engine.get(job.id))!;
    assert.equal(done.status, 'Completed');
    assert.equal(done.progress, 100);
    assert.equal(done.statusMessage, 'Report for Q1 done');
    assert.deepEqual(done.result, { rows: 3 });
    assert.equal(done.lastSequence, 6);
    assert.deepEqual(done.stages.map((s) => [s.name, s.status, s.progress]), [
      ['Gathering', 'Completed', 100],
      ['Writing', 'Completed', 100],
      ['Publishing', 'Pending', 0],
    ]);
    assert.ok(done.stages[0]!.startedAt && done.stages[0]!.completedAt);
    assert.equal(delivered[3]!.job.stages[0]!.progress, 80, 'stage progress reported mid-stage');
    assert.deepEqual(done.metadata, { source: 'test' });
  });

  it('runs at most `concurrency` jobs at once, highest priority first, FIFO within a priority', async (t) => {
    const gate = new Gate();
    const h = harness(dir.path, { runner: new InProcessRunner({ concurrency: 2 }) });
    t.after(() => h.close());
    const order: string[] = [];
    let running = 0;
    let peak = 0;
    h.engine.define('Work', async (job) => {
      order.push((job.input as { name: string }).name);
      running++;
      peak = Math.max(peak, running);
      await gate.wait();
      running--;
    });
    await h.engine.start();
    await h.engine.enqueue({ type: 'Work', input: { name: 'first' } });
    await h.engine.enqueue({ type: 'Work', input: { name: 'second' } });
    await waitFor(() => gate.waiting === 2, 2000, 'two running');
    for (const [name, priority] of [['low', 0], ['normal-1', 1], ['critical', 3], ['normal-2', 1], ['high', 2]] as const) {
      await h.engine.enqueue({ type: 'Work', input: { name }, priority });
    }
    assert.equal(h.engine.metrics.queued, 5);
    while (order.length < 7 || gate.waiting > 0) {
      await waitFor(() => gate.waiting > 0 || order.length === 7, 2000, 'a job waiting');
      gate.release();
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.deepEqual(order, ['first', 'second', 'critical', 'high', 'normal-1', 'normal-2', 'low']);
    assert.equal(peak, 2);
  });

  it('cancels a running job: its signal aborts, it is Cancelled at once, later reports change nothing', async (t) => {
    const h = harness(dir.path);
    t.after(() => h.close());
    const gate = new Gate();
    let reason: unknown;
    h.engine.define('Slow', async (_job, ctx) => {
      await ctx.stage('Working', 10, 'Busy');
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      reason = ctx.signal.reason;
      await gate.wait(); // the processor is slow to notice; the job is Cancelled already
      await ctx.progress(90, 'too late');
    });
    await h.engine.start();
    const job = await h.engine.enqueue({ type: 'Slow' });
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'stage'), 2000, 'stage');
    const cancelled = await h.engine.cancel(job.id, 'User asked');
    assert.equal(cancelled.status, 'Cancelled');
    assert.ok(reason instanceof JobCancelledError);
    assert.equal((await h.engine.get(job.id))!.status, 'Cancelled');
    gate.release();
    await waitFor(() => h.engine.metrics.running === 0, 2000, 'processor returned');
    const last = h.eventsOf(job.id).at(-1)!;
    assert.equal(last.kind, 'cancelled');
    assert.equal(last.job.statusMessage, 'User asked');
    assert.equal(last.job.progress, 10);
    assert.equal(last.job.stages.find((s) => s.name === 'Working')!.status, 'Cancelled');
    await assert.rejects(h.engine.cancel(job.id), JobStateError);
  });

  it('cancels a queued job before it runs', async (t) => {
    const h = harness(dir.path, { runner: new InProcessRunner({ concurrency: 1 }) });
    t.after(() => h.close());
    const gate = new Gate();
    const ran: string[] = [];
    h.engine.define('Work', async (job) => {
      ran.push(job.id);
      await gate.wait();
    });
    await h.engine.start();
    const blocker = await h.engine.enqueue({ type: 'Work' });
    const queued = await h.engine.enqueue({ type: 'Work' });
    await waitFor(() => gate.waiting === 1, 2000, 'blocker running');
    await h.engine.cancel(queued.id);
    gate.release();
    await waitFor(() => h.eventsOf(blocker.id).some((e) => e.kind === 'completed'), 2000, 'blocker done');
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(ran, [blocker.id]);
    assert.equal((await h.engine.get(queued.id))!.status, 'Cancelled');
  });

  it('retries a failed attempt after a backoff, and completes', async (t) => {
    const h = harness(dir.path, { backoff: { type: 'fixed', delayMs: 20 } });
    t.after(() => h.close());
    let calls = 0;
    h.engine.define(
      'Flaky',
      async (_job, ctx) => {
        calls++;
        await ctx.stage('Trying', 20);
        if (calls < 3) throw new Error(`glitch ${calls}`);
      },
      { maxRetries: 2 },
    );
    await h.engine.start();
    const job = await h.engine.enqueue({ type: 'Flaky' });
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'completed'), 3000, 'completion');
    const kinds = h.eventsOf(job.id).map((e) => e.kind);
    assert.deepEqual(kinds, ['created', 'started', 'stage', 'retrying', 'started', 'stage', 'retrying', 'started', 'stage', 'completed']);
    const retrying = h.eventsOf(job.id).find((e) => e.kind === 'retrying')!.job;
    assert.equal(retrying.status, 'Pending');
    assert.equal(retrying.error, 'glitch 1');
    assert.match(retrying.statusMessage!, /Attempt 1 failed: glitch 1\. Retrying in 20 ms/);
    const done = (await h.engine.get(job.id))!;
    assert.equal(done.retryCount, 2);
    assert.equal(done.attempt, 3);
    assert.equal(done.error, null);
  });

  it('fails once retries run out (canRetry), and a requested retry runs it again', async (t) => {
    const h = harness(dir.path, { backoff: { type: 'exponential', delayMs: 5 } });
    t.after(() => h.close());
    let healthy = false;
    h.engine.define(
      'Fragile',
      async (_job, ctx) => {
        await ctx.stage('Working', 30);
        if (!healthy) throw new Error('disk full');
        return { message: 'Recovered fine' };
      },
      { maxRetries: 1 },
    );
    await h.engine.start();
    const job = await h.engine.enqueue({ type: 'Fragile' });
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'failed'), 3000, 'failure');
    const failed = (await h.engine.get(job.id))!;
    assert.equal(failed.status, 'Failed');
    assert.equal(failed.error, 'disk full');
    assert.equal(failed.canRetry, true);
    assert.equal(failed.retryCount, 1);
    assert.equal(failed.stages[0]!.status, 'Failed');
    assert.equal(failed.stages[0]!.errorMessage, 'disk full');
    healthy = true;
    const retried = await h.engine.retry(job.id);
    assert.equal(retried.status, 'Pending');
    assert.equal(retried.retryCount, 2);
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'completed'), 3000, 'completion');
    const done = (await h.engine.get(job.id))!;
    assert.equal(done.statusMessage, 'Recovered fine');
    assert.equal(done.error, null);
    await assert.rejects(h.engine.retry(job.id), /only Failed or Cancelled jobs can be retried/);
  });

  it('does not retry a PermanentJobError, and refuses a requested retry', async (t) => {
    const h = harness(dir.path);
    t.after(() => h.close());
    let calls = 0;
    h.engine.define(
      'Strict',
      async () => {
        calls++;
        throw new PermanentJobError('The URL is not a video');
      },
      { maxRetries: 3 },
    );
    await h.engine.start();
    const job = await h.engine.enqueue({ type: 'Strict' });
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'failed'), 2000, 'failure');
    assert.equal(calls, 1);
    const failed = (await h.engine.get(job.id))!;
    assert.equal(failed.canRetry, false);
    await assert.rejects(h.engine.retry(job.id), /cannot be retried/);
  });

  it('finishes the job when a sink fails, and counts the failures', async (t) => {
    const h = harness(dir.path);
    t.after(() => h.close());
    h.engine.addSink({ name: 'broken', deliver: () => { throw new Error('socket gone'); } });
    h.engine.define('Quick', async (_job, ctx) => {
      await ctx.stage('Only', 50);
    });
    await h.engine.start();
    const job = await h.engine.enqueue({ type: 'Quick' });
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'completed'), 2000, 'completion');
    assert.equal((await h.engine.get(job.id))!.status, 'Completed');
    assert.equal(h.engine.metrics.sinkFailures, h.eventsOf(job.id).length);
  });

  it('estimates completion from the observed rate', async (t) => {
    const clock = new ManualClock();
    const gate = new Gate();
    const h = harness(dir.path, { clock });
    t.after(() => h.close());
    const estimates: (Date | undefined)[] = [];
    h.engine.define('Steady', async (_job, ctx) => {
      await gate.wait();
      await ctx.progress(25);
      estimates.push(ctx.estimatedCompletion);
    });
    await h.engine.start();
    const job = await h.engine.enqueue({ type: 'Steady' });
    await waitFor(() => gate.waiting === 1, 2000, 'running');
    const started = clock.now();
    clock.advance(1000);
    gate.release();
    await waitFor(() => estimates.length === 1, 2000, 'estimate');
    // 25 points in 1 s: 75 more take 3 s.
    assert.equal(estimates[0]!.getTime(), started + 4000);
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'progress'), 2000, 'progress event');
    assert.equal(h.eventsOf(job.id).find((e) => e.kind === 'progress')!.job.estimatedCompletion, new Date(started + 4000).toISOString());
  });

  it('refuses unknown job types and bad progress values clearly', async (t) => {
    const h = harness(dir.path);
    t.after(() => h.close());
    h.engine.define('Sloppy', async (_job, ctx) => {
      await ctx.progress(Number.NaN);
    });
    await h.engine.start();
    await assert.rejects(h.engine.enqueue({ type: 'Nope' }), /No processor is defined for job type 'Nope'/);
    const job = await h.engine.enqueue({ type: 'Sloppy' });
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'failed'), 2000, 'failure');
    assert.match((await h.engine.get(job.id))!.error!, /Progress must be a finite number/);
  });
});
