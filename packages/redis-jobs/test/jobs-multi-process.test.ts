import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@tidings/hub';
import { type JobEvent, RECOVERED_MESSAGE } from '@tidings/jobs';
import { waitFor } from '../../hub/test/support/wait.js';
import { type NodeScript, startNodeScript } from '../../../test-support/processes.js';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { type ClusterJobEngine, RedisJobCluster } from '../src/index.js';
import type { WorkerProcessOptions } from './fixtures/job-worker-process.js';
import { STEP_TYPES } from './fixtures/step-processors.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./fixtures/job-worker-process.ts', import.meta.url));
const PREFIX = 'mp-jobs';
const LOCK_MS = 1000;

interface WorkerInfo {
  readonly nodeId: string;
  readonly pid: number;
}

describe('scaled jobs with worker processes that die or freeze', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  let cluster: RedisJobCluster;
  let engine: ClusterJobEngine;
  const seen = new Map<string, JobEvent[]>();
  const eventsOf = (id: string) => seen.get(id) ?? [];
  const started: NodeScript<WorkerInfo>[] = [];

  function startWorker(nodeId: string, maxTakeovers?: number): Promise<NodeScript<WorkerInfo>> {
    const options: WorkerProcessOptions = { redisUrl: redis.url, prefix: PREFIX, nodeId, lockDurationMs: LOCK_MS, maxTakeovers };
    return startNodeScript<WorkerInfo>(WORKER_SCRIPT, [JSON.stringify(options)]).then((w) => (started.push(w), w));
  }

  /** The pid of the worker that saved the job's last checkpoint. */
  async function holderOf(jobId: string): Promise<number> {
    const checkpoint = (await engine.get(jobId))?.checkpoint as { pid?: number } | null;
    assert.ok(checkpoint?.pid, 'the job has a checkpoint');
    return checkpoint.pid;
  }

  /** For each attempt in turn: waits until it makes progress, then kills the worker holding the job. */
  async function killHolderAtAttempts(jobId: string, workers: readonly NodeScript<WorkerInfo>[], attempts: readonly number[]): Promise<void> {
    for (const attempt of attempts) {
      await waitFor(() => eventsOf(jobId).some((e) => e.kind === 'progress' && e.job.attempt === attempt), 20_000, `attempt ${attempt} to make progress`);
      const holderId = await cluster.queue.holderOf(jobId);
      const holder = workers.find((w) => w.info.nodeId === holderId);
      assert.ok(holder, `a worker holds the job (${holderId})`);
      await holder.stop('SIGKILL');
    }
  }

  before(async () => {
    redis = await startRedisServer();
    cluster = new RedisJobCluster({ redis: redis.url, prefix: PREFIX, nodeId: 'api', logger: silentLogger });
    for (const [type, { processor, options }] of Object.entries(STEP_TYPES)) cluster.define(type, processor, options);
    engine = cluster.engine();
    engine.addSink({ deliver: (event) => void seen.set(event.jobId, [...eventsOf(event.jobId), event]) });
    await engine.start();
  });
  afterEach(async () => {
    for (const worker of started.splice(0)) {
      if (worker.child.exitCode === null) worker.child.kill('SIGCONT');
      await worker.stop('SIGKILL');
    }
  });
  after(async () => {
    await cluster?.close();
    await redis?.stop();
  });

  it('a worker killed mid-job: another takes the job over and it continues from its checkpoint', async () => {
    const workers = await Promise.all([startWorker('w1'), startWorker('w2')]);
    const job = await engine.enqueue({ type: 'Steps', input: { steps: 40, stepMs: 50, failures: 0 } });
    await waitFor(() => (eventsOf(job.id).at(-1)?.job.progress ?? 0) >= 25, 15_000, 'the job to make progress');
    const holderPid = await holderOf(job.id);
    const holder = workers.find((w) => w.child.pid === holderPid)!;
    assert.ok(holder, 'one of the workers holds the job');
    const checkpointBefore = ((await engine.get(job.id))!.checkpoint as { next: number }).next;
    await holder.stop('SIGKILL');

    await waitFor(() => eventsOf(job.id).at(-1)?.kind === 'completed', 20_000, 'the job to complete on the other worker');
    const events = eventsOf(job.id);
    assert.deepEqual(
      events.map((e) => e.sequence),
      events.map((_, i) => i + 1),
      'every event once, in order',
    );
    const recovered = events.findIndex((e) => e.kind === 'recovered');
    assert.ok(recovered > 0, `a recovered event: ${events.map((e) => e.kind)}`);
    assert.equal(events[recovered]!.job.statusMessage, RECOVERED_MESSAGE);
    assert.equal(events[recovered + 1]!.kind, 'started');
    assert.equal(events[recovered + 1]!.job.attempt, 2);
    const resumedFrom = Number(/from step (\d+)/.exec(events[recovered + 2]!.job.statusMessage ?? '')?.[1]);
    assert.ok(resumedFrom >= checkpointBefore, `resumed from step ${resumedFrom}, checkpoint was ${checkpointBefore}`);
    const done = (await engine.get(job.id))!;
    assert.notEqual((done.result as { finishedBy: number }).finishedBy, holderPid);
    assert.deepEqual(await engine.events(job.id), events, 'the history is what was delivered');
  });

  it('a frozen worker loses its job; when it wakes, its writes are refused and its attempt stops', async () => {
    const workers = await Promise.all([startWorker('w3'), startWorker('w4')]);
    const job = await engine.enqueue({ type: 'Steps', input: { steps: 60, stepMs: 50, failures: 0 } });
    await waitFor(() => (eventsOf(job.id).at(-1)?.job.progress ?? 0) >= 15, 15_000, 'the job to make progress');
    const frozenPid = await holderOf(job.id);
    const frozen = workers.find((w) => w.child.pid === frozenPid)!;
    frozen.child.kill('SIGSTOP');
    await waitFor(() => eventsOf(job.id).some((e) => e.kind === 'started' && e.job.attempt === 2), 20_000, 'another worker to take over');
    await waitFor(() => (eventsOf(job.id).at(-1)?.job.checkpoint as { pid?: number } | null)?.pid !== frozenPid, 5000, 'the new attempt to report');
    frozen.child.kill('SIGCONT');

    await waitFor(() => eventsOf(job.id).at(-1)?.kind === 'completed', 20_000, 'the job to complete');
    const events = eventsOf(job.id);
    assert.deepEqual(
      events.map((e) => e.sequence),
      events.map((_, i) => i + 1),
    );
    const takeover = events.findIndex((e) => e.kind === 'started' && e.job.attempt === 2);
    const late = events.slice(takeover).filter((e) => e.job.attempt !== 2);
    assert.deepEqual(late, [], 'nothing from the frozen attempt after the takeover');
    assert.equal(((await engine.get(job.id))!.result as { finishedBy: number }).finishedBy, workers.find((w) => w !== frozen)!.child.pid);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(frozen.child.exitCode, null, `the woken worker is still running:\n${frozen.output()}`);
    assert.equal(eventsOf(job.id).length, events.length, 'and it wrote nothing after it woke');
    const refused = frozen.output().split('\n').filter((line) => line.startsWith(`refused ${job.id} stale`));
    assert.ok(refused.length >= 1, `its late writes were refused:\n${frozen.output()}`);
    assert.ok(refused.length <= 4, `and its attempt stopped rather than reporting every remaining step (${refused.length} refused)`);
  });

  it('a job that keeps stopping its workers has its attempt failed after maxTakeovers; a retry then runs it', async () => {
    const workers = await Promise.all([startWorker('w5', 1), startWorker('w6', 1), startWorker('w7', 1)]);
    const job = await engine.enqueue({ type: 'Steps', input: { steps: 40, stepMs: 50, failures: 0 } });
    await killHolderAtAttempts(job.id, workers, [1, 2]);
    await waitFor(() => eventsOf(job.id).at(-1)?.kind === 'failed', 20_000, 'the third attempt to be given up');
    const failed = eventsOf(job.id).at(-1)!.job;
    assert.match(failed.error ?? '', /Its worker stopped 2 times while running it/);
    assert.equal(failed.canRetry, true);
    assert.deepEqual(
      eventsOf(job.id).filter((e) => e.kind === 'recovered').map((e) => e.job.attempt),
      [1, 2],
      'recovered after each death',
    );

    await engine.retry(job.id);
    await waitFor(() => eventsOf(job.id).at(-1)?.kind === 'completed', 20_000, 'the retried job to complete');
    const events = eventsOf(job.id);
    assert.deepEqual(events.map((e) => e.sequence), events.map((_, i) => i + 1));
  });

  it('a given-up attempt that is retried and stops a worker again is given up again, never left Running', async () => {
    const workers = await Promise.all([startWorker('w8', 0), startWorker('w9', 0), startWorker('w10', 0)]);
    const job = await engine.enqueue({ type: 'Steps', input: { steps: 40, stepMs: 50, failures: 0 }, maxRetries: 5 });
    // maxTakeovers 0: each takeover gives its attempt up (2, then 4); the retry after it runs (3, then 5).
    await killHolderAtAttempts(job.id, workers, [1, 3]);
    await waitFor(() => eventsOf(job.id).at(-1)?.kind === 'completed', 20_000, 'the job to complete after its second give-up');
    const givenUp = eventsOf(job.id).filter((e) => e.kind === 'retrying');
    assert.deepEqual(
      givenUp.map((e) => [e.job.attempt, /Its worker stopped (\d+) times/.exec(e.job.error ?? '')?.[1]]),
      [
        [2, '1'],
        [4, '2'],
      ],
    );
    const events = eventsOf(job.id);
    assert.deepEqual(events.map((e) => e.sequence), events.map((_, i) => i + 1));
  });
});
