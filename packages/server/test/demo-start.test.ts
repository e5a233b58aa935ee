import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnService } from './support/process.js';
import { eventually, tempDir } from './support/service.js';

interface JobSummary {
  readonly jobId: string;
  readonly jobType: string;
  readonly status: string;
  readonly metadata: { readonly title?: string };
}

async function pipelines(url: string): Promise<JobSummary[]> {
  const response = await fetch(`${url}/api/v1/jobs?jobType=VideoProcessing&limit=100`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { jobs: JobSummary[] }).jobs;
}

const numbered = (jobs: readonly JobSummary[]) => jobs.filter((job) => /^Demo video \d+$/.test(job.metadata.title ?? ''));
const keptRunning = (jobs: readonly JobSummary[]) => jobs.filter((job) => job.metadata.title?.startsWith('Demo video (kept running)'));

describe('npm start on a fresh data directory', () => {
  it('starts three demo videos in development mode, once, then keeps one running', async () => {
    const dir = tempDir();
    const first = await spawnService({ DATA_DIR: dir.path, DEMO_JOBS: '3', DEMO_SPEED: '20' });
    try {
      await eventually(() => pipelines(first.url), (jobs) => numbered(jobs).length === 3, 15_000, 'three demo pipelines');
      // Once they are done, the keeper starts another, so the dashboard always has something moving.
      const jobs = await eventually(() => pipelines(first.url), (all) => keptRunning(all).length >= 1, 20_000, 'a kept-running demo video');
      const finishedFirst = numbered(jobs).every((job) => job.status === 'Completed');
      assert.ok(finishedFirst, 'the keeper waited for the demo videos to finish');
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
    // A restart on the same data starts no new batch; the keeper carries on.
    const second = await spawnService({ DATA_DIR: dir.path, DEMO_JOBS: '3', DEMO_SPEED: '20' });
    try {
      const before = keptRunning(await pipelines(second.url)).length;
      const jobs = await eventually(() => pipelines(second.url), (all) => keptRunning(all).length > before, 20_000, 'the keeper after a restart');
      assert.equal(numbered(jobs).length, 3);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
      dir.cleanup();
    }
  });
});
