import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { InProcessRunner, JobInputError, JobTimeoutError, ManualClock, UnknownJobTypeError, defineJobType } from '../src/index.js';
import { Gate, harness, tempDir, waitFor } from './support/harness.js';

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
    assert.deepEqual(h.engine.jobTypes, [greeting], 'registered types are listed with their schemas');
    await h.engine.start();
    const job = await h.engine.enqueue({ type: 'Greeting', input: { name: 'ada', times: 2 } });
    assert.equal(job.maxRetries, 2, 'the type’s retry option reaches the job');
    assert.deepEqual(job.stages.map((s) => s.name), ['Writing']);
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'completed'), 5000, 'completion');
    const done = (await h.engine.get(job.id))!;
    assert.deepEqual(done.result, { text: 'hello adahello ada' });
    assert.equal(done.statusMessage, 'Greeted');
  });

  it('checks input against the schema strictly: no coercion, no dropped properties, formats; bad input creates nothing', async (t) => {
    const h = harness(dir.path);
    t.after(() => h.close());
    const seen: unknown[] = [];
    h.engine.register(
      defineJobType({
        name: 'Invite',
        input: Type.Object({ email: Type.String({ format: 'email' }), seats: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
        async process(job) {
          seen.push(job.input);
        },
      }),
    );
    await h.engine.start();
    const refuse = async (input: unknown, pattern: RegExp) => {
      const error = await h.engine.enqueue({ type: 'Invite', input: input as never }).then(
        () => assert.fail(`accepted ${JSON.stringify(input)}`),
        (e: unknown) => e,
      );
      assert.ok(error instanceof JobInputError, `a JobInputError for ${JSON.stringify(input)}`);
      assert.equal(error.type, 'Invite');
      assert.match(error.message, pattern);
      assert.ok(error.problems.length > 0, 'the Ajv errors are carried');
      return error;
    };
    await refuse({ email: 'ada@example.com', seats: '2' }, /input\/seats must be integer/);
    const extra = await refuse({ email: 'ada@example.com', seats: 2, admin: true }, /must NOT have additional properties/);
    assert.equal(extra.problems[0]!.params.additionalProperty, 'admin');
    await refuse({ email: 'not an address', seats: 2 }, /input\/email must match format "email"/);
    await refuse(null, /input must be object/);
    assert.deepEqual(await h.engine.list({ type: 'Invite' }), [], 'nothing was created');
    assert.equal(h.events.length, 0, 'no event either');

    const job = await h.engine.enqueue({ type: 'Invite', input: { email: 'ada@example.com', seats: 2 } });
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'completed'), 5000, 'completion');
    assert.deepEqual(seen, [{ email: 'ada@example.com', seats: 2 }], 'the processor got the input exactly as sent');
  });

  it('refuses an unknown type with the known types named, and a flow with a bad step creates nothing', async (t) => {
    const h = harness(dir.path);
    t.after(() => h.close());
    const strict = defineJobType({ name: 'Strict', input: Type.Object({ n: Type.Number() }), process: async () => undefined });
    h.engine.register(strict).define('Loose', async () => undefined);
    assert.deepEqual(h.engine.jobTypes.map((t) => t.name), ['Strict'], 'a processor defined without a schema is no registered type');
    const error = await h.engine.enqueue({ type: 'Nope' }).catch((e: unknown) => e);
    assert.ok(error instanceof UnknownJobTypeError);
    assert.deepEqual(error.knownTypes, ['Loose', 'Strict']);
    assert.match(error.message, /Known types: Loose, Strict/);
    await assert.rejects(
      h.engine.enqueueFlow({ type: 'Flow', steps: [{ name: 'a', type: 'Loose' }, { name: 'b', type: 'Strict', input: { n: 'x' } }] }),
      JobInputError,
    );
    assert.deepEqual(await h.engine.list({ type: 'Flow' }), []);
    assert.deepEqual(await h.engine.list({ type: 'Loose' }), []);
  });

  it('refuses a schema Ajv cannot compile, and impossible options, when the type is registered', async (t) => {
    const h = harness(dir.path);
    t.after(() => h.close());
    const typo = defineJobType({ name: 'Typo', input: Type.Unsafe<string>({ type: 'string', minLenght: 3 }), process: async () => undefined });
    assert.throws(() => h.engine.register(typo), /input schema of job type 'Typo' is invalid: .*minLenght/);
    const zero = defineJobType({ name: 'Zero', input: Type.Null(), concurrency: 0, process: async () => undefined });
    assert.throws(() => h.engine.register(zero), /concurrency must be a positive integer/);
  });

  it('fails an attempt that runs past timeoutMs (its signal aborts with a JobTimeoutError), retrying as its options say', async (t) => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const h = harness(dir.path, { clock });
    t.after(() => h.close());
    const reasons: unknown[] = [];
    h.engine.register(
      defineJobType({
        name: 'Slow',
        input: Type.Null(),
        timeoutMs: 30_000,
        maxRetries: 1,
        backoff: { type: 'fixed', delayMs: 1000 },
        async process(_job, ctx) {
          await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
          reasons.push(ctx.signal.reason);
          // Returning normally after the timeout does not make the attempt a success.
          return { result: 'too late' };
        },
      }),
    );
    await h.engine.start();
    const job = await h.engine.enqueue({ type: 'Slow', input: null });
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'started'), 5000, 'first attempt');
    clock.advance(29_999);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(reasons.length, 0, 'not before its time');
    clock.advance(1);
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'retrying'), 5000, 'retry after the timeout');
    assert.ok(reasons[0] instanceof JobTimeoutError);
    assert.match(h.eventsOf(job.id).find((e) => e.kind === 'retrying')!.job.error!, /timed out after 30000 ms/);
    clock.advance(1000);
    await waitFor(() => h.eventsOf(job.id).filter((e) => e.kind === 'started').length === 2, 5000, 'second attempt');
    clock.advance(30_000);
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'failed'), 5000, 'failure');
    const failed = (await h.engine.get(job.id))!;
    assert.equal(failed.status, 'Failed');
    assert.equal(failed.result, null);
    assert.equal(failed.canRetry, true);
  });

  it('runs at most `concurrency` jobs of a type at once, while other types use the free slots', async (t) => {
    const gates = { Render: new Gate(), Mail: new Gate() };
    const h = harness(dir.path, { runner: new InProcessRunner({ concurrency: 3 }) });
    t.after(() => h.close());
    const running = { Render: 0, Mail: 0 };
    let peakRender = 0;
    for (const name of ['Render', 'Mail'] as const) {
      h.engine.register(
        defineJobType({
          name,
          input: Type.Null(),
          concurrency: name === 'Render' ? 1 : undefined,
          async process() {
            running[name]++;
            peakRender = Math.max(peakRender, running.Render);
            await gates[name].wait();
            running[name]--;
          },
        }),
      );
    }
    await h.engine.start();
    const renders = [await h.engine.enqueue({ type: 'Render', input: null }), await h.engine.enqueue({ type: 'Render', input: null })];
    const mail = await h.engine.enqueue({ type: 'Mail', input: null });
    await waitFor(() => gates.Render.waiting === 1 && gates.Mail.waiting === 1, 5000, 'one render and the mail running');
    assert.equal(h.engine.metrics.queued, 1, 'the second render waits though a slot is free');
    gates.Mail.release();
    await waitFor(() => h.eventsOf(mail.id).some((e) => e.kind === 'completed'), 5000, 'mail done');
    assert.equal(running.Render, 1);
    gates.Render.release();
    await waitFor(() => gates.Render.waiting === 1 && h.eventsOf(renders[0]!.id).some((e) => e.kind === 'completed'), 5000, 'the second render');
    gates.Render.release();
    await waitFor(() => h.eventsOf(renders[1]!.id).some((e) => e.kind === 'completed'), 5000, 'both renders done');
    assert.equal(peakRender, 1);
  });

  it('types ctx.metadata and ctx.output from the schemas a type declares for them', async (t) => {
    const h = harness(dir.path);
    t.after(() => h.close());
    const tokens = defineJobType({
      name: 'Tokens',
      input: Type.Object({ prompt: Type.String() }),
      metadata: Type.Object({ model: Type.String(), tokens: Type.Integer() }),
      output: Type.String(),
      async process(job, ctx) {
        await ctx.metadata({ model: 'tiny' }); // a patch: any subset of the declared keys
        for (const word of job.input.prompt.split(' ')) await ctx.output(word);
        await ctx.metadata({ tokens: job.input.prompt.split(' ').length });
        // @ts-expect-error output items are strings for this type
        if (job.input.prompt === '') await ctx.output(42);
        // @ts-expect-error `tokens` is an integer
        if (job.input.prompt === '') await ctx.metadata({ tokens: 'many' });
      },
    });
    assert.equal(tokens.output?.type, 'string', 'the schemas are kept for clients and docs');
    h.engine.register(tokens);
    await h.engine.start();
    const job = await h.engine.enqueue({ type: 'Tokens', input: { prompt: 'one two' } });
    await waitFor(() => h.eventsOf(job.id).some((e) => e.kind === 'completed'), 5000, 'completion');
    assert.deepEqual(h.eventsOf(job.id).filter((e) => e.kind === 'output').map((e) => e.output!.data), ['one', 'two']);
    assert.deepEqual((await h.engine.get(job.id))!.metadata, { model: 'tiny', tokens: 2 });
  });

  it('refuses a type without a name', () => {
    assert.throws(() => defineJobType({ name: '', input: Type.Null(), process: async () => undefined }), /needs a name/);
  });
});
