import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnService } from './support/process.js';
import { tempDir, waitFor } from './support/service.js';

interface JobSummary {
  readonly id: string;
  readonly jobType: string;
  readonly parentJobId?: string | null;
}

async function pipelines(url: string): Promise<JobSummary[]> {
  const response = await fetch(`${url}/api/v1/jobs?jobType=VideoProcessing&limit=100`);
  assert.equal(response.status, 200);
  const body = (await response.json()) as { jobs?: JobSummary[] } | JobSummary[];
  return Array.isArray(body) ? body : (body.jobs ?? []);
}

describe('npm start on a fresh data directory', () => {
  it('starts three demo videos in development mode, once', async () => {
    const dir = tempDir();
    const first = await spawnService({ DATA_DIR: dir.path, DEMO_JOBS: '3', DEMO_SPEED: '20' });
    try {
      let found: JobSummary[] = [];
      await waitFor(
        () => {
          void pipelines(first.url).then((jobs) => (found = jobs));
          return found.length === 3;
        },
        15_000,
        'three demo pipelines',
      );
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
