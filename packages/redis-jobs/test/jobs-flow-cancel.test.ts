import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type HubLogger, silentLogger } from '@tidings/hub';
import { JobCancelledError, type JobEvent } from '@tidings/jobs';
import { waitFor } from '../../hub/test/support/wait.js';
import { type RedisServer, redisSkipReason, startRedisServer } from '../../../test-support/redis-server.js';
import { type ClusterJobEngine, JobWriteRejectedError, RedisJobCluster } from '../src/index.js';
import { STEP_TYPES, abortsSeen } from './fixtures/step-processors.js';

const ENGINE = { throttleIntervalMs: 10, shutdownGraceMs: 2000 };

describe('cancelling a flow while a worker runs one of its steps', { skip: redisSkipReason }, () => {
  let redis: RedisServer;
  const clusters: RedisJobCluster[] = [];
  let api: ClusterJobEngine;
  const seen = new Map<string, JobEvent[]>();
  const eventsOf = (id: string) => seen.get(id) ?? [];
  /** Writes the store refused on the worker (an attempt writing a job someone else had settled). */
  const refused: JobWriteRejectedError[] = [];

  function cluster(nodeId: string, logger: HubLogger = silentLogger): RedisJobCluster {
    const c = new RedisJobCluster({ redis: redis.url, prefix: 'flow-cancel', nodeId, logger });
    for (const [type, { processor, options }] of Object.entries(STEP_TYPES)) c.define(type, processor, options);
    clusters.push(c);
    return c;
  }

  before(async () => {
    redis = await startRedisServer();
    api = cluster('api').engine(ENGINE);
    api.addSink({ deliver: (event) => void seen.set(event.jobId, [...eventsOf(event.jobId), event]) });
    await api.start();
    const recordRefusals: HubLogger = {
      ...silentLogger,
      debug: (data: object) => {
        const err = (data as { err?: unknown }).err;
        if (err instanceof JobWriteRejectedError) refused.push(err);
      },
    };
    await cluster('worker', recordRefusals).worker({ concurrency: 2, lockDurationMs: 2000, engine: { ...ENGINE, logger: recordRefusals } }).start();
  });
  after(async () => {
    for (const c of clusters) await c.close();
    await redis?.stop();
  });

  it('the worker holding the step cancels the flow: the step aborts, every job ends Cancelled, and no write is refused', async () => {
    const { parent, children } = await api.enqueueFlow({
      type: 'Steps',
      steps: [
        { name: 'one', type: 'Steps', input: { steps: 200, stepMs: 20, failures: 0 } },
        { name: 'two', type: 'Steps', input: { steps: 1, stepMs: 1, failures: 0 } },
      ],
    });
    const [first, second] = children as [(typeof children)[0], (typeof children)[0]];
    await waitFor(() => eventsOf(parent.id).filter((e) => e.kind === 'progress').length >= 3, 10_000, 'the parent to follow its first step');

    const cancelled = await api.cancel(parent.id, 'Changed my mind');
    assert.equal(cancelled.status, 'Cancelled');
    await waitFor(() => abortsSeen.has(first.id), 5000, "the running step's signal to abort");
    assert.ok(abortsSeen.get(first.id) instanceof JobCancelledError);
    await waitFor(() => [parent.id, first.id, second.id].every((id) => eventsOf(id).at(-1)?.kind === 'cancelled'), 5000, 'every job to be cancelled');
    await new Promise((resolve) => setTimeout(resolve, 300));

    for (const id of [parent.id, first.id, second.id]) {
      const events = eventsOf(id);
      assert.equal(events.filter((e) => e.kind === 'cancelled').length, 1, `one cancelled event for ${id}`);
      assert.equal(events.at(-1)!.kind, 'cancelled', 'nothing after it');
      assert.deepEqual(await api.events(id), events, 'the history is what was delivered');
    }
    assert.deepEqual(eventsOf(second.id).map((e) => e.kind), ['created', 'cancelled'], 'the later step never ran');
    assert.deepEqual(
      refused.map((e) => `${e.jobId === parent.id ? 'parent' : e.jobId} ${e.reason}`),
      [],
      'the worker never wrote the parent after it was cancelled elsewhere',
    );
  });
});
