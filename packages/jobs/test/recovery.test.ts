import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { JobInterruptedError, type JobProcessor } from '../src/index.js';
import { Gate, harness, tempDir, waitFor } from './support/harness.js';

/** Five stages; the checkpoint says how many are done, so a resumed run skips them. */
function resumable(log: string[], hold?: Gate): JobProcessor {
  return async (job, ctx) => {
    const done = (job.checkpoint as { done?: number } | null)?.done ?? 0;
    for (let i = done + 1; i <= 5; i++) {
      await ctx.stage(`Step ${i}`, (i - 1) * 20, `Working on step ${i}`);
      log.push(`step ${i}`);
      if (i === 3 && hold) await hold.wait();
      if (ctx.signal.aborted) {
        await ctx.checkpoint({ done: i - 1 });
        throw ctx.signal.reason;
      }
      await ctx.checkpoint({ done: i });
    }
    return { message: 'All five steps done' };
  };
}

function assertContiguous(sequences: number[]): void {
  assert.deepEqual(sequences, sequences.map((_, i) => i + 1), `sequences ${sequences.join(',')} run 1..n with no gap`);
}

describe('recovery after a crash or a restart', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('re-queues a job cut off by a crash; it resumes from its checkpoint and its history stays whole', async (t) => {
    const first = harness(dir.path);
    const log: string[] = [];
    first.engine.define('Resumable', resumable(log, new Gate())); // holds forever at step 3: then the "crash"
    await first.engine.start();
    const job = await first.engine.enqueue({ type: 'Resumable' });
    await waitFor(() => log.includes('step 3'), 3000, 'step 3');
    await first.store.close(); // the process is gone: nothing more is written

    const second = harness(dir.path);
    const resumed: string[] = [];
    second.engine.define('Resumable', resumable(resumed));
    await second.engine.start();
    await waitFor(() => second.eventsOf(job.id).some((e) => e.kind === 'completed'), 3000, 'completion');
    t.after(() => second.close());

    assert.deepEqual(resumed, ['step 3', 'step 4', 'step 5'], 'resumed at the checkpoint (2 steps done)');
    const history = await second.engine.events(job.id);
    assertContiguous(history.map((e) => e.sequence));
    const kinds = history.map((e) => e.kind);
    assert.deepEqual(kinds.slice(0, 5), ['created', 'started', 'stage', 'stage', 'stage'], 'the first run is still there');
    assert.deepEqual(kinds.slice(5, 7), ['recovered', 'started']);
    assert.equal(kinds.at(-1), 'completed');
    const recovered = history.find((e) => e.kind === 'recovered')!.job;
    assert.equal(recovered.status, 'Pending');
    assert.equal(recovered.statusMessage, 'Recovered after a restart; resuming');
    assert.equal((await second.engine.get(job.id))!.status, 'Completed');
  });

  it('fails a job cut off by a crash when its processor cannot resume, with the reason', async (t) => {
    const first = harness(dir.path);
    const gate = new Gate();
    first.engine.define('OneShot', async (_job, ctx) => {
      await ctx.stage('Charging the card', 50);
      await gate.wait();
    });
    await first.engine.start();
    const job = await first.engine.enqueue({ type: 'OneShot' });
    await waitFor(() => gate.waiting === 1, 3000, 'running');
    await first.store.close();

    const second = harness(dir.path);
    let ran = false;
    second.engine.define('OneShot', async () => void (ran = true), { resumable: false });
    await second.engine.start();
    t.after(() => second.close());
    const failed = (await second.engine.get(job.id))!;
    assert.equal(failed.status, 'Failed');
    assert.equal(failed.error, "Interrupted by a restart while running; 'OneShot' jobs cannot resume.");
    assert.equal(failed.canRetry, true);
    assert.equal(ran, false);
  });

  it('on stop, lets running processors checkpoint; the job resumes at the next start', async () => {
    const first = harness(dir.path);
    const log: string[] = [];
    const hold = new Gate();
    let reason: unknown;
    first.engine.define('Resumable', async (job, ctx) => {
      ctx.signal.addEventListener('abort', () => {
        reason = ctx.signal.reason;
        hold.release();
      });
      return resumable(log, hold)(job, ctx);
    });
    await first.engine.start();
    const job = await first.engine.enqueue({ type: 'Resumable' });
    await waitFor(() => log.includes('step 3'), 3000, 'step 3');
    await first.engine.stop();
    assert.ok(reason instanceof JobInterruptedError);
    const interrupted = (await first.engine.get(job.id))!;
    assert.equal(interrupted.status, 'Pending');
    assert.equal(interrupted.statusMessage, 'Interrupted by a shutdown; resumes after the restart');
    assert.deepEqual(interrupted.checkpoint, { done: 2 });
    assert.equal(first.eventsOf(job.id).at(-1)!.kind, 'interrupted', 'subscribers heard of it before stop resolved');
    await first.store.close();

    const second = harness(dir.path);
    const resumed: string[] = [];
    second.engine.define('Resumable', resumable(resumed));
    await second.engine.start();
    await waitFor(() => second.eventsOf(job.id).some((e) => e.kind === 'completed'), 3000, 'completion');
    assert.deepEqual(resumed, ['step 3', 'step 4', 'step 5']);
    assertContiguous((await second.engine.events(job.id)).map((e) => e.sequence));
    await second.close();
  });

  it('on stop, a processor that checkpoints and returns (rather than throws) is interrupted, not completed', async () => {
    const polite: JobProcessor = async (job, ctx) => {
      await ctx.stage('Working', 10);
      if (job.checkpoint !== null) return { message: 'Finished after the restart' };
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      await ctx.checkpoint({ half: true });
    };
    const first = harness(dir.path);
    first.engine.define('Polite', polite);
    await first.engine.start();
    const job = await first.engine.enqueue({ type: 'Polite' });
    await waitFor(() => first.eventsOf(job.id).some((e) => e.kind === 'stage'), 3000, 'running');
    await first.engine.stop();
    assert.equal((await first.engine.get(job.id))!.status, 'Pending');
    assert.equal(first.eventsOf(job.id).at(-1)!.kind, 'interrupted');
    await first.store.close();

    const second = harness(dir.path);
    second.engine.define('Polite', polite);
    await second.engine.start();
    await waitFor(() => second.eventsOf(job.id).some((e) => e.kind === 'completed'), 3000, 'completion');
    assert.equal((await second.engine.get(job.id))!.statusMessage, 'Finished after the restart');
    await second.close();
  });

  it('resumes a flow whose running step was cut off, and finishes it', async () => {
    const steps = [
      { name: 'One', type: 'A' },
      { name: 'Two', type: 'B' },
    ];
    const first = harness(dir.path);
    const gate = new Gate();
    first.engine.define('A', async (_job, ctx) => ctx.stage('a', 10));
    first.engine.define('B', async (_job, ctx) => {
      await ctx.stage('b', 10);
      await gate.wait();
    });
    await first.engine.start();
    const { parent } = await first.engine.enqueueFlow({ type: 'Pair', steps });
    await waitFor(() => gate.waiting === 1, 3000, 'step two running');
    await first.store.close();

    const second = harness(dir.path);
    second.engine.define('A', async () => assert.fail('step one must not run again'));
    second.engine.define('B', async (_job, ctx) => ctx.stage('b', 50));
    await second.engine.start();
    await waitFor(() => second.eventsOf(parent.id).some((e) => e.kind === 'completed'), 3000, 'flow completion');
    assertContiguous((await second.engine.events(parent.id)).map((e) => e.sequence));
    assert.deepEqual((await second.engine.children(parent.id)).map((c) => c.status), ['Completed', 'Completed']);
    await second.close();
  });

  it('keeps a retry waiting out its backoff across a restart', async () => {
    const first = harness(dir.path, { backoff: { type: 'fixed', delayMs: 300 } });
    let calls = 0;
    const flaky: JobProcessor = async () => {
      calls++;
      if (calls === 1) throw new Error('first attempt fails');
    };
    first.engine.define('Flaky', flaky, { maxRetries: 1 });
    await first.engine.start();
    const job = await first.engine.enqueue({ type: 'Flaky' });
    await waitFor(() => first.eventsOf(job.id).some((e) => e.kind === 'retrying'), 3000, 'retrying');
    const notBefore = first.eventsOf(job.id).at(-1)!.job.notBefore!;
    await first.close();
    assert.equal(calls, 1);

    const second = harness(dir.path);
    second.engine.define('Flaky', flaky, { maxRetries: 1 });
    await second.engine.start();
    await waitFor(() => second.eventsOf(job.id).some((e) => e.kind === 'completed'), 3000, 'completion');
    assert.equal(calls, 2);
    const done = (await second.engine.get(job.id))!;
    assert.ok(Date.parse(done.startedAt!) <= Date.parse(notBefore));
    assert.ok(Date.parse(second.eventsOf(job.id).find((e) => e.kind === 'started')!.at) >= Date.parse(notBefore), 'not run before the backoff ran out');
    await second.close();
  });
});
