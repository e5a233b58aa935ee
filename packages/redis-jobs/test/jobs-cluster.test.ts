import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Job, JobCancelledError, type JobEvent, JobStateError } from '@tidings/jobs';
import { silentLogger } from '@tidings/hub';
import { Job as BullJob } from 'bullmq';
import { delay, waitFor } from '../../hub/test/support/wait.js';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { type ClusterJobEngine, type JobWorker, RedisJobCluster } from '../src/index.js';
import { STEP_TYPES, type StepsInput, abortsSeen } from './fixtures/step-processors.js';

const ENGINE = { throttleIntervalMs: 10, shutdownGraceMs: 2000 };

function input(steps: number, stepMs: number, failures = 0): StepsInput {
  return { steps, stepMs, failures };
}

function assertContiguous(events: readonly JobEvent[], what: string, from = 1): void {
  assert.deepEqual(
    events.map((e) => e.sequence),
    events.map((_, i) => from + i),
    `${what}: each sequence once, in order, no gap`,
  );
}

describe('scaled jobs: API engines and BullMQ workers on one Redis', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  const clusters: RedisJobCluster[] = [];
  let nodeA: ClusterJobEngine;
  let nodeB: ClusterJobEngine;
  const workers: JobWorker[] = [];
  /** What node B's sink received, per job. */
  const seenOnB = new Map<string, JobEvent[]>();
  const eventsOnB = (id: string) => seenOnB.get(id) ?? [];
  const lastOnB = (id: string) => eventsOnB(id).at(-1);

  function cluster(nodeId: string): RedisJobCluster {
    const c = new RedisJobCluster({ redis: redis.url, prefix: 'cluster-test', nodeId, logger: silentLogger });
    for (const [type, { processor, options }] of Object.entries(STEP_TYPES)) c.define(type, processor, options);
    clusters.push(c);
    return c;
  }

  async function startWorker(nodeId: string): Promise<JobWorker> {
    const worker = cluster(nodeId).worker({ concurrency: 2, lockDurationMs: 2000, engine: ENGINE });
    await worker.start();
    workers.push(worker);
    return worker;
  }

  const finished = (id: string) => () => ['completed', 'failed', 'cancelled'].includes(lastOnB(id)?.kind ?? '');

  before(async () => {
    redis = await startRedisServer();
    nodeA = cluster('api-a').engine(ENGINE);
    nodeB = cluster('api-b').engine(ENGINE);
    nodeB.addSink({
      name: 'recorder',
      deliver: (event) => {
        const list = seenOnB.get(event.jobId) ?? [];
        list.push(event);
        seenOnB.set(event.jobId, list);
      },
    });
    await Promise.all([nodeA.start(), nodeB.start()]);
    await startWorker('worker-1');
    await startWorker('worker-2');
  });
  after(async () => {
    for (const c of clusters) await c.close();
    await redis?.stop();
  });

  it('a job enqueued on node A runs on a worker, and node B delivers every event once, in order', async () => {
    const job = await nodeA.enqueue({ type: 'Steps', ownerId: 'alice', input: input(5, 20) });
    await waitFor(finished(job.id), 10_000, 'the job to finish');
    const delivered = eventsOnB(job.id);
    assertContiguous(delivered, 'node B');
    assert.deepEqual(delivered.map((e) => e.kind), ['created', 'started', 'stage', 'progress', 'progress', 'progress', 'progress', 'progress', 'completed']);
    assert.deepEqual(
      (await nodeA.events(job.id)).map((e) => [e.sequence, e.kind]),
      delivered.map((e) => [e.sequence, e.kind]),
      'the history in Redis is what was delivered',
    );
    const stored = (await nodeB.get(job.id))!;
    assert.equal(stored.status, 'Completed');
    assert.equal(stored.lastSequence, delivered.length);
    assert.deepEqual((await nodeB.list({ ownerId: 'alice', status: ['Completed'] })).map((j) => j.id), [job.id]);
  });

  it('a flow runs its steps one after another on the workers; its parent follows them in order', async () => {
    const { parent, children } = await nodeB.enqueueFlow({
      type: 'Steps',
      ownerId: 'bob',
      steps: [
        { name: 'one', type: 'Steps', input: input(3, 15) },
        { name: 'two', type: 'Other', input: input(3, 15), weight: 2 },
        { name: 'three', type: 'Steps', input: input(3, 15) },
      ],
    });
    await waitFor(finished(parent.id), 15_000, 'the flow to finish');
    const parentEvents = eventsOnB(parent.id);
    assertContiguous(parentEvents, 'parent');
    assert.equal(parentEvents.at(-1)!.kind, 'completed');
    const progress = parentEvents.map((e) => e.job.progress);
    assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]!), `parent progress never goes back: ${progress}`);
    for (const child of children) {
      assertContiguous(eventsOnB(child.id), child.type);
      assert.equal((await nodeA.get(child.id))!.status, 'Completed');
    }
    const started = children.map((c) => Date.parse((eventsOnB(c.id).find((e) => e.kind === 'started'))!.at));
    const completed = children.map((c) => Date.parse(lastOnB(c.id)!.at));
    assert.ok(started[1]! >= completed[0]! && started[2]! >= completed[1]!, 'each step starts after the one before completed');
  });

  it('a cancel from either API node reaches the worker running the job: its signal aborts', async () => {
    const job = await nodeA.enqueue({ type: 'Steps', input: input(200, 20) });
    await waitFor(() => eventsOnB(job.id).filter((e) => e.kind === 'progress').length >= 2, 10_000, 'the job to make progress');
    const cancelled = await nodeB.cancel(job.id, 'Stop it');
    assert.equal(cancelled.status, 'Cancelled');
    assert.equal(cancelled.statusMessage, 'Stop it');
    await waitFor(() => abortsSeen.has(job.id), 5000, "the processor's signal to abort");
    assert.ok(abortsSeen.get(job.id) instanceof JobCancelledError);
    await waitFor(finished(job.id), 5000, 'the cancelled event');
    await waitFor(() => workers.reduce((n, w) => n + w.running, 0) === 0, 5000, 'the attempt to end');
    const history = await nodeA.events(job.id);
    assert.equal(history.at(-1)!.kind, 'cancelled', 'nothing after the cancel');
    assertContiguous(eventsOnB(job.id), 'node B');
    await assert.rejects(nodeA.cancel(job.id), JobStateError);
  });

  it('a job still queued is cancelled from the queue and never runs', async () => {
    const blockers = await Promise.all([1, 2, 3, 4].map(() => nodeA.enqueue({ type: 'Steps', input: input(100, 20) })));
    await waitFor(() => blockers.every((b) => eventsOnB(b.id).some((e) => e.kind === 'started')), 10_000, 'every worker slot to be busy');
    const queued = await nodeA.enqueue({ type: 'Steps', input: input(1, 1) });
    const cancelled = await nodeB.cancel(queued.id);
    assert.equal(cancelled.status, 'Cancelled');
    for (const blocker of blockers) await nodeA.cancel(blocker.id);
    await waitFor(() => blockers.every((b) => finished(b.id)()), 5000, 'the blockers to be cancelled');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(eventsOnB(queued.id).map((e) => e.kind), ['created', 'cancelled']);
  });

  it('a failed attempt goes back to the queue for its backoff and the next attempt completes', async () => {
    const job = await nodeB.enqueue({ type: 'Steps', input: input(2, 10, 1) });
    await waitFor(finished(job.id), 10_000, 'the job to finish');
    const kinds = eventsOnB(job.id).map((e) => e.kind);
    assert.deepEqual(kinds.slice(0, 4), ['created', 'started', 'retrying', 'started']);
    assert.equal(kinds.at(-1), 'completed');
    const done = (await nodeA.get(job.id))!;
    assert.equal(done.retryCount, 1);
    assert.equal(done.attempt, 2);
  });

  it('a job retried while BullMQ is still finishing its failed attempt runs again', async () => {
    for (const c of clusters) {
      c.define('FailsOnce', async (job) => {
        if (job.retryCount === 0) throw new Error('the first run fails');
      });
    }
    // Widen the window between the worker's last look at the job and BullMQ completing (and removing) its BullMQ job.
    const moveToCompleted = BullJob.prototype.moveToCompleted;
    BullJob.prototype.moveToCompleted = async function (this: BullJob, ...args: Parameters<typeof moveToCompleted>) {
      await delay(300);
      return moveToCompleted.apply(this, args);
    };
    let job: Job;
    try {
      job = await nodeA.enqueue({ type: 'FailsOnce', maxRetries: 0 });
      await waitFor(finished(job.id), 10_000, 'the first run to fail');
      assert.equal(lastOnB(job.id)!.kind, 'failed');
      await nodeA.retry(job.id); // queued while the failed attempt's BullMQ job is still active
    } finally {
      BullJob.prototype.moveToCompleted = moveToCompleted;
    }
    await waitFor(() => lastOnB(job.id)?.kind === 'completed', 10_000, 'the retried job to complete');
    assertContiguous(eventsOnB(job.id), 'node B');
  });

  it('a subscriber given the state inside withJobState then gets exactly the later events', async () => {
    const job = await nodeA.enqueue({ type: 'Steps', input: input(30, 15) });
    await waitFor(() => eventsOnB(job.id).length >= 5, 10_000, 'some events');
    let snapshot: Job | undefined;
    const afterSnapshot: JobEvent[] = [];
    const stopRecording = nodeB.addSink({ deliver: (event) => void (snapshot && event.jobId === job.id && afterSnapshot.push(event)) });
    await nodeB.withJobState(job.id, async (state) => {
      snapshot = state;
    });
    await waitFor(finished(job.id), 10_000, 'the job to finish');
    stopRecording();
    assert.ok(snapshot && snapshot.lastSequence >= 5);
    assertContiguous(afterSnapshot, 'after the snapshot', snapshot.lastSequence + 1);
    assert.equal(afterSnapshot.at(-1)!.kind, 'completed');
    assert.deepEqual(snapshot, eventsOnB(job.id)[snapshot.lastSequence - 1]!.job, 'the snapshot is the state of the last event delivered');
  });

  it('closing a worker interrupts its jobs at a checkpoint; another worker resumes them', async () => {
    const job = await nodeA.enqueue({ type: 'Steps', input: input(40, 25) });
    await waitFor(() => (lastOnB(job.id)?.job.progress ?? 0) >= 10, 10_000, 'the job to make progress');
    const holder = workers.find((w) => w.running > 0)!;
    assert.ok(holder, 'a worker runs it');
    await holder.close();
    workers.splice(workers.indexOf(holder), 1);
    await waitFor(finished(job.id), 15_000, 'the job to finish on the other worker');
    const kinds = eventsOnB(job.id).map((e) => e.kind);
    const interrupted = kinds.indexOf('interrupted');
    assert.ok(interrupted > 0, `interrupted: ${kinds}`);
    assert.equal(kinds[interrupted + 1], 'started');
    assert.equal(kinds.at(-1), 'completed');
    assertContiguous(eventsOnB(job.id), 'node B');
    const resumed = eventsOnB(job.id)[interrupted + 2]!;
    assert.match(resumed.job.statusMessage ?? '', /^from step [1-9]/, 'the next attempt starts from the checkpoint');
  });
});
