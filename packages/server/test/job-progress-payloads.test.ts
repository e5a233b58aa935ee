import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VIDEO_JOB_TYPES } from '@tidings/contract';
import { jobCompleted, jobProgressUpdate } from '../src/surfaces/job-progress/payloads.js';
import { PIPELINE_STEPS, PIPELINE_TYPE } from '../src/videos/video-pipeline.js';
import type { Job } from '@tidings/jobs';

/** A minimal stored job: only what the payload reads matters here. */
function job(metadata: Job['metadata']): Job {
  return { id: 'j1', type: 'VideoIngestion', subject: 'v1', status: 'Running', progress: 10, currentStage: null, statusMessage: null, error: null, updatedAt: '2026-12-06T00:00:00Z', metadata, lastSequence: 3, estimatedCompletion: null, parentId: null } as unknown as Job;
}

describe("/hubs/job-progress's JobProgressUpdate", () => {
  it('never carries the trace context the service keeps in metadata while a tracer records (the wire contract stays as clients parse it)', () => {
    const traced = jobProgressUpdate(job({ videoId: 'v1', url: 'https://example.com/v', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }));
    assert.deepEqual(traced.metadata, { videoId: 'v1', url: 'https://example.com/v' });
  });

  it('passes untraced metadata through as it is, without copying it', () => {
    const metadata = { videoId: 'v1', url: 'https://example.com/v' };
    assert.equal(jobProgressUpdate(job(metadata)).metadata, metadata);
  });
});

describe("/hubs/job-progress's JobCompleted", () => {
  it("leaves out the result for exactly the video pipeline's job types, as the wire contract lists them", () => {
    assert.deepEqual([...VIDEO_JOB_TYPES].sort(), [PIPELINE_TYPE, ...PIPELINE_STEPS.map((step) => step.type)].sort());
    const done = (type: string) => ({ ...job({}), type, status: 'Completed', result: { ok: true }, finishedAt: '2026-12-06T00:00:01Z' }) as Job;
    assert.equal('result' in jobCompleted(done('Transcription')), false);
    assert.deepEqual(jobCompleted(done('Greeting')).result, { ok: true });
  });
});
