import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { Hub, hubMethod } from '@tidings/hub';
import { type Job, type JobEventKind, defineJobType } from '@tidings/jobs';
import { type TidingsServer, createTidingsServer, definePlugin, subscribeWithSnapshot } from '../src/index.js';
import { SEED_VIDEO_URL, TRANSPORT_CASES, awaitCompletion, connect, record, tempDir, waitFor } from './support/service.js';

/** Greetings wait for this, so a test subscribes before the first event however slow the machine. */
let openGate!: () => void;
const gate = new Promise<void>((resolve) => (openGate = resolve));

/** A user's own job type, defined in this test file. */
const greet = defineJobType({
  name: 'Greeting',
  input: Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  async process(job, ctx) {
    await gate;
    await ctx.stage('Greeting', 50, `Greeting ${job.input.name}`);
    return { message: `Hello, ${job.input.name}!`, result: { greeting: `Hello, ${job.input.name}!` } };
  },
});

interface GreetingEvents {
  [method: string]: (...args: never[]) => unknown;
  Greeted(jobId: string, kind: JobEventKind, sequence: number): void;
}

/** A hub of the plugin's own: its one client-callable method is declared with its wire name. */
class GreetingHub extends Hub<GreetingEvents> {
  constructor(private readonly engine: TidingsServer['engine']) {
    super();
  }

  @hubMethod('FollowGreeting')
  async followGreeting(jobId: string): Promise<boolean> {
    return subscribeWithSnapshot(this.engine, jobId, {
      authorize: (job: Job | undefined) => (job?.type === greet.name ? job : undefined),
      join: () => this.groups.addToGroup(this.context.connectionId, `greeting-${jobId}`),
      sendSnapshot: (job) => this.clients.caller.send('Greeted', job.id, 'snapshot' as JobEventKind, job.lastSequence),
    });
  }
}

describe('a plugin registered from a test file', () => {
  const dir = tempDir();
  const heard: { type: string; kind: JobEventKind }[] = [];
  let server: TidingsServer;
  let url: string;

  const greeter = definePlugin({
    name: 'greeter',
    jobTypes: [greet],
    register(ctx) {
      const endpoint = ctx.hubs.mapHub<GreetingEvents>('/hubs/greetings', GreetingHub, { activator: () => new GreetingHub(ctx.engine) });
      ctx.routes('/api/greetings', async (app) => {
        app.post<{ Body: { name: string } }>('/', { schema: { body: greet.input } }, async (request, reply) => {
          const job = await ctx.engine.enqueue({ type: greet.name, ownerId: null, input: request.body });
          return reply.code(202).send({ jobId: job.id });
        });
      });
      ctx.onJobEvent(async ({ event }) => {
        heard.push({ type: event.job.type, kind: event.kind });
        await endpoint.context.clients.group(`greeting-${event.jobId}`).send('Greeted', event.jobId, event.kind, event.sequence);
      });
      ctx.metrics(() => ({ heard: heard.length }));
    },
  });

  before(async () => {
    server = await createTidingsServer({
      config: { port: 0, host: '127.0.0.1', dataDir: dir.path, logLevel: 'silent', demoSpeed: 20, shutdownGraceMs: 2000 },
      plugins: [greeter],
    });
    url = await server.listen();
  });
  after(async () => {
    await server.close();
    dir.cleanup();
  });

  it('adds a job type, a hub and a route: a greeting posted to the route runs and is followed on the hub in sequence order', async () => {
    assert.ok(server.engine.types.includes('Greeting'), 'the job type is registered');
    const response = await fetch(`${url}/api/greetings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Ada' }) });
    assert.equal(response.status, 202);
    const { jobId } = (await response.json()) as { jobId: string };
    const connection = await connect(`${url}/hubs/greetings`, TRANSPORT_CASES[0]!);
    try {
      const greeted = record<[string, JobEventKind, number]>(connection, 'Greeted');
      const events: { kind: string; sequence: number }[] = [];
      connection.on('Greeted', (_id: string, kind: string, sequence: number) => void events.push({ kind, sequence }));
      assert.equal(await connection.invoke('FollowGreeting', jobId), true);
      openGate();
      await waitFor(() => events.some((e) => e.kind === 'completed'), 10_000, 'the greeting completed');
      const sequences = events.map((e) => e.sequence);
      assert.deepEqual(sequences, [...sequences].sort((a, b) => a - b), 'in sequence order');
      assert.equal(new Set(sequences).size, sequences.length, 'none twice');
      assert.ok(greeted.length > 0);
      const job = await server.engine.get(jobId);
      assert.deepEqual(job?.result, { greeting: 'Hello, Ada!' });
    } finally {
      await connection.stop();
    }
  });

  it("refuses the route's bad input with 400 from the job type's schema", async () => {
    const response = await fetch(`${url}/api/greetings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: '' }) });
    assert.equal(response.status, 400);
  });

  it("hears only its own job types' events, and shows its metrics on /health", async () => {
    const ingest = await fetch(`${url}/api/v1/videos/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: SEED_VIDEO_URL }) });
    assert.equal(ingest.status, 202);
    const { jobId } = (await ingest.json()) as { jobId: string };
    await awaitCompletion({ hubUrl: `${url}/hubs/job-progress` } as Parameters<typeof awaitCompletion>[0], jobId);
    assert.ok(heard.length > 0);
    assert.deepEqual([...new Set(heard.map((h) => h.type))], ['Greeting'], 'no video job event reached the plugin');
    const health = (await (await fetch(`${url}/health`)).json()) as { plugins: Record<string, { heard: number }> };
    assert.equal(health.plugins.greeter?.heard, heard.length);
  });

  it('refuses two plugins of one name', async () => {
    const other = tempDir();
    try {
      await assert.rejects(
        createTidingsServer({ config: { port: 0, dataDir: other.path, logLevel: 'silent' }, plugins: [greeter, greeter] }),
        /Two plugins are named 'greeter'/,
      );
    } finally {
      other.cleanup();
    }
  });
});

describe('the core server with no plugin', () => {
  const dir = tempDir();
  let server: TidingsServer;
  let url: string;

  before(async () => {
    const dashboard = join(dir.path, 'dashboard');
    mkdirSync(dashboard, { recursive: true });
    writeFileSync(join(dashboard, 'index.html'), '<!doctype html><title>tidings dashboard</title>');
    server = await createTidingsServer({
      config: { port: 0, host: '127.0.0.1', dataDir: join(dir.path, 'data'), logLevel: 'silent', demoSpeed: 20, shutdownGraceMs: 2000 },
      dashboardDir: dashboard,
    });
    url = await server.listen();
  });
  after(async () => {
    await server.close();
    dir.cleanup();
  });

  it('serves /hubs/job-progress, REST and the dashboard, and none of the example systems', async () => {
    const ingest = await fetch(`${url}/api/v1/videos/ingest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: SEED_VIDEO_URL }) });
    assert.equal(ingest.status, 202);
    const { jobId } = (await ingest.json()) as { jobId: string };
    const connection = await connect(`${url}/hubs/job-progress`, TRANSPORT_CASES[0]!);
    try {
      const completed = record<{ jobId: string }>(connection, 'JobCompleted');
      const updates = record<{ status: string }>(connection, 'JobProgressUpdate');
      await connection.invoke('SubscribeToJob', jobId);
      await waitFor(() => completed.length === 1 || updates.some((u) => u.status === 'Completed'), 20_000, 'the video job completed');
    } finally {
      await connection.stop();
    }
    const jobs = await fetch(`${url}/api/v1/jobs`);
    assert.equal(jobs.status, 200);
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /tidings dashboard/);
    for (const path of ['/hubs/progress/negotiate?negotiateVersion=1', '/hubs/notifications/negotiate?negotiateVersion=1', '/deploymentHub/negotiate?negotiateVersion=1']) {
      assert.equal((await fetch(`${url}${path}`, { method: 'POST' })).status, 404, path);
    }
    assert.equal((await fetch(`${url}/api/conduit/admin/dead-letters`)).status, 404);
    assert.deepEqual((await (await fetch(`${url}/health`)).json()).plugins, {});
  });
});
