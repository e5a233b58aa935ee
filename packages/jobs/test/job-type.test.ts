import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { defineJobType } from '../src/index.js';
import { harness, tempDir, waitFor } from './support/harness.js';

describe('job types', () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it('runs a job type defined with defineJobType: typed input in, typed result out, its options applied', async (t) => {
    const h = harness(dir.path);
    t.after(() => h.close());
    const greeting = defineJobType({
      name: 'Greeting',
      input: Type.Object({ name: Type.String(), times: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
      stages: ['Writing'],
      maxRetries: 2,
      async process(job, ctx) {
        await ctx.stage('Writing', 10);
        // `job.input` is typed from the schema: no casts.
        return { result: { text: `hello ${job.input.name}`.repeat(job.input.times) }, message: 'Greeted' };
      },
    });
    assert.equal(greeting.options.maxRetries, 2);
    h.engine.register(greeting);
    assert.deepEqual(h.engine.types, ['Greeting']);
    await h.engine.start();
    const job = await h.engine.enqueue({ type: 'Greeting', input: { name: 'ada', times: 2 } });
    assert.equal(job.maxRetries, 2, 'the type’s retry option reaches the job');
    assert.deepEqual(job.stages.map((s) => s.name), ['Writing']);
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'completed'), 5000, 'completion');
    const done = (await h.engine.get(job.id))!;
    assert.deepEqual(done.result, { text: 'hello adahello ada' });
    assert.equal(done.statusMessage, 'Greeted');
  });

  it('refuses a type without a name', () => {
    assert.throws(() => defineJobType({ name: '', input: Type.Null(), process: async () => undefined }), /needs a name/);
  });
});
