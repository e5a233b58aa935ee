import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job, JobEvent } from '@tidings/jobs';
import { pino } from 'pino';
import { EventFanIn, type JobActivity } from '../src/index.js';

const at = '2025-01-01T00:00:00.000Z';
const pipeline = { id: 'p-1', steps: [{ name: 'Step', jobId: 's-1', weight: 1 }], subject: 'v-1', status: 'Running', progress: 10, stages: [], updatedAt: at, lastSequence: 3 } as unknown as Job;
const step = { id: 's-1', steps: null, subject: 'v-1', status: 'Running', progress: 10, stages: [], updatedAt: at, lastSequence: 2, type: 'Transcription', attempt: 1 } as unknown as Job;
const eventOf = (job: Job): JobEvent => ({ jobId: job.id, sequence: job.lastSequence, kind: 'progress', at, job }) as unknown as JobEvent;

describe('the event fan-in', () => {
  it("reads a flow's steps once for every surface that asks, and never for a job that is not a flow", async () => {
    const reads: string[] = [];
    const children = async (id: string) => {
      reads.push(id);
      return [step];
    };
    const fanIn = new EventFanIn({ children }, pino({ level: 'silent' }));
    const seen: { steps: readonly Job[]; video: Awaited<ReturnType<JobActivity['video']>> }[] = [];
    for (const name of ['a', 'b']) {
      fanIn.add({ name, publish: async (activity) => void seen.push({ steps: await activity.steps(), video: await activity.video() }) });
    }

    await fanIn.deliver(eventOf(pipeline));
    assert.deepEqual(reads, ['p-1'], 'one read for both surfaces, steps and video alike');
    assert.deepEqual(seen.map((s) => s.steps), [[step], [step]]);
    assert.equal(seen[0]!.video?.videoId, 'v-1');
    assert.equal(seen[0]!.video?.transcriptionStatus, 'InProgress');

    await fanIn.deliver(eventOf(step));
    assert.deepEqual(reads, ['p-1'], 'a step is no flow: nothing read');
    assert.deepEqual(seen.slice(2), [
      { steps: [], video: undefined },
      { steps: [], video: undefined },
    ]);
  });
});
