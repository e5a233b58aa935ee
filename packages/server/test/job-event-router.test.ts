import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Job, type JobEvent, silentJobLogger } from '@tidings/jobs';
import { type JobActivity, JobEventRouter } from '../src/index.js';

const at = '2025-01-01T00:00:00.000Z';
const pipeline = { id: 'p-1', type: 'VideoProcessing', steps: [{ name: 'Step', jobId: 's-1', weight: 1 }], subject: 'v-1', status: 'Running', progress: 10, stages: [], updatedAt: at, lastSequence: 3 } as unknown as Job;
const step = { id: 's-1', steps: null, subject: 'v-1', status: 'Running', progress: 10, stages: [], updatedAt: at, lastSequence: 2, type: 'Transcription', attempt: 1 } as unknown as Job;
const eventOf = (job: Job): JobEvent => ({ jobId: job.id, sequence: job.lastSequence, kind: 'progress', at, job }) as unknown as JobEvent;

describe('the job event router', () => {
  it("reads a flow's steps once for every handler that asks, and never for a job that is not a flow", async () => {
    const reads: string[] = [];
    const children = async (id: string) => {
      reads.push(id);
      return [step];
    };
    const router = new JobEventRouter({ children }, silentJobLogger);
    const seen: { steps: readonly Job[]; video: Awaited<ReturnType<JobActivity['video']>> }[] = [];
    for (const name of ['a', 'b']) router.add(name, 'all', async (activity) => void seen.push({ steps: await activity.steps(), video: await activity.video() }));

    await router.deliver(eventOf(pipeline));
    assert.deepEqual(reads, ['p-1'], 'one read for both handlers, steps and video alike');
    assert.deepEqual(seen.map((s) => s.steps), [[step], [step]]);
    assert.equal(seen[0]!.video?.videoId, 'v-1');
    assert.equal(seen[0]!.video?.transcriptionStatus, 'InProgress');

    await router.deliver(eventOf(step));
    assert.deepEqual(reads, ['p-1'], 'a step is no flow: nothing read');
    assert.deepEqual(seen.slice(2), [
      { steps: [], video: undefined },
      { steps: [], video: undefined },
    ]);
  });

  it('gives each handler only the job types it declared; one that fails is counted and the others still get the event', async () => {
    const router = new JobEventRouter({ children: async () => [] }, silentJobLogger);
    const heard: string[] = [];
    router.add('videos', ['VideoProcessing'], async ({ event }) => void heard.push(`videos:${event.job.type}`));
    router.add('steps', ['Transcription'], async ({ event }) => void heard.push(`steps:${event.job.type}`));
    router.add('broken', 'all', async () => {
      throw new Error('boom');
    });
    await router.deliver(eventOf(pipeline));
    await router.deliver(eventOf(step));
    assert.deepEqual(heard, ['videos:VideoProcessing', 'steps:Transcription']);
    assert.equal(router.metrics.sinkFailures, 2);
  });
});
