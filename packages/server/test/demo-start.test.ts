import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnService } from './support/process.js';
import { eventually, tempDir } from './support/service.js';

interface JobSummary {
  readonly jobId: string;
  readonly jobType: string;
  readonly parentJobId?: string | null;
}

async function pipelines(url: string): Promise<JobSummary[]> {
  const response = await fetch(`${url}/api/v1/jobs?jobType=VideoProcessing&limit=100`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { jobs: JobSummary[] }).jobs;
}

describe('npm start on a fresh data directory', () => {
  it('starts three demo videos in development mode, once', async () => {
    const dir = tempDir();
    const first = await spawnService({ DATA_DIR: dir.path, DEMO_JOBS: '3', DEMO_SPEED: '20' });
    try {
      await eventually(() => pipelines(first.url), (jobs) => jobs.length === 3, 15_000, 'three demo pipelines');
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
    // A restart on the same data keeps what is there and adds nothing.
    const second = await spawnService({ DATA_DIR: dir.path, DEMO_JOBS: '3', DEMO_SPEED: '20' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal((await pipelines(second.url)).length, 3);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
      dir.cleanup();
    }
  });
});
