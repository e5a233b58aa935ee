import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { join } from 'node:path';
import {
  InProcessRunner,
  JobEngine,
  JobEventWriter,
  type JobEvent,
  JobQueue,
  JobRegistry,
  LocalJobEvents,
  LocalJobWorker,
  SqliteJobStore,
  silentJobLogger,
  systemClock,
} from '../src/index.js';
import { tempDir, waitFor } from './support/harness.js';

const logger = silentJobLogger;
const clock = systemClock;

/** A queue and local events on `store`, dispatching to `runner`; the parts an engine is composed of. */
function queueAndEvents(store: SqliteJobStore, runner: InProcessRunner) {
  const events = new LocalJobEvents({ store, logger });
  const writer = new JobEventWriter({ store, line: events, clock, logger });
  const registry = new JobRegistry().define('Echo', async (job) => ({ message: 'echoed', result: job.input }));
  const queue = new JobQueue({ store, writer, registry, dispatcher: runner, clock });
  return { queue, events };
}

describe('the engine composed of a queue, job events and a worker', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('a queue, local events and a local worker composed by hand run a job; every event reaches the sink in order', async () => {
    const store = new SqliteJobStore(join(dir.path, 'composed.db'));
    const runner = new InProcessRunner({ clock, logger });
    const { queue, events } = queueAndEvents(store, runner);
    const worker = new LocalJobWorker({ queue, runner, logger, shutdownGraceMs: 1000 });
    const engine = new JobEngine({ queue, events, worker });
    const seen: JobEvent[] = [];
    engine.addSink({ deliver: (event) => void seen.push(event) });
    await engine.start();
    const job = await engine.enqueue({ type: 'Echo', input: { said: 'hello' } });
    await waitFor(() => seen.some((e) => e.kind === 'completed'), 3000, 'the job to complete');
    assert.deepEqual(seen.map((e) => [e.sequence, e.kind]), [[1, 'created'], [2, 'started'], [3, 'completed']]);
    assert.deepEqual((await engine.get(job.id))!.result, { said: 'hello' });
    await engine.stop();
    await store.close();
  });

  it('an engine without a worker (an API node) queues and cancels jobs but runs and recovers none; a worker engine on the store does', async () => {
    const path = join(dir.path, 'api.db');
    const store = new SqliteJobStore(path);
    const api = new JobEngine(queueAndEvents(store, new InProcessRunner({ clock, logger })));
    const seen: JobEvent[] = [];
    api.addSink({ deliver: (event) => void seen.push(event) });
    await api.start();
    const queued = await api.enqueue({ type: 'Echo', input: 1 });
    const cancelled = await api.enqueue({ type: 'Echo', input: 2 });
    await api.cancel(cancelled.id, 'Not needed');
    // A job some worker left Running: an API node starting up must leave it to the workers.
    const running = await api.enqueue({ type: 'Echo', input: 3 });
    await store.saveJob({ ...(await store.getJob(running.id))!, status: 'Running', attempt: 1 });
    await api.stop();
    assert.equal((await store.getJob(queued.id))!.status, 'Pending', 'nothing ran the queued job');
    assert.equal((await store.getJob(running.id))!.status, 'Running', 'no recovery without a worker');
    assert.deepEqual(
      seen.filter((e) => e.jobId === cancelled.id).map((e) => e.kind),
      ['created', 'cancelled'],
    );
    await store.close();

    const fullStore = new SqliteJobStore(path);
    const full = new JobEngine({ store: fullStore });
    full.define('Echo', async (job) => ({ message: 'echoed', result: job.input }));
    const finished = new Set<string>();
    const kinds: string[] = [];
    full.addSink({
      deliver: (event) => {
        if (event.jobId === running.id) kinds.push(event.kind);
        if (event.kind === 'completed') finished.add(event.jobId);
      },
    });
    await full.start();
    await waitFor(() => finished.has(queued.id) && finished.has(running.id), 3000, 'both jobs to run');
    assert.deepEqual(kinds, ['recovered', 'started', 'completed'], 'the worker engine recovers the job left Running');
    assert.equal((await full.get(cancelled.id))!.status, 'Cancelled');
    await full.stop();
    await fullStore.close();
  });
});
