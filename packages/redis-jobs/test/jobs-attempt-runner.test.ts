import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InProcessRunner, silentJobLogger } from '@tidings/jobs';
import { AttemptRunner } from '../src/attempt-runner.js';

describe('AttemptRunner (the runner of one attempt on a worker)', () => {
  it('logs an attempt whose run rejects (Redis away, say) instead of leaving the rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const logged: object[] = [];
      const runner = new AttemptRunner({ jobId: 'job-1', type: 'T', priority: 1 }, new InProcessRunner(), {
        ...silentJobLogger,
        error: (data) => void logged.push(data),
      });
      await runner.start(async () => {
        throw new Error('Connection is closed.');
      });
      runner.runOwn();
      await runner.finished;
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
      assert.equal(logged.length, 1);
      assert.equal((logged[0] as { jobId?: string }).jobId, 'job-1');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
