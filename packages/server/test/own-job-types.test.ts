/**
 * A job type of the user's own (ReportWriter, defined in a test module) from
 * submission to the last event: the generic REST routes, following it on
 * `/hubs/job-progress` with the official client by id and by tag (output and
 * metadata in sequence order, replayed after a reconnect), and follow tokens.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HubError, JobCompleted, JobOutput, JobProgressUpdate } from '@tidings/contract';
import { Type } from '@sinclair/typebox';
import { defineJobType } from '@tidings/jobs';
import { SignJWT } from 'jose';
import { definePlugin } from '../src/index.js';
import reportWriterPlugin from './fixtures/report-writer-plugin.js';
import { releaseReport } from './fixtures/report-writer.js';
import { SEED_VIDEO_URL, TRANSPORT_CASES, connect, eventually, serviceFixture, strictlyIncreasing, waitFor } from './support/service.js';

const SECRET = 'a-test-secret-of-more-than-32-characters!';
const [websockets] = TRANSPORT_CASES;

function userToken(userId: string): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
}

/** Every job event a connection gets, in arrival order, by wire name. */
type Arrival =
  | { readonly method: 'JobProgressUpdate'; readonly payload: JobProgressUpdate }
  | { readonly method: 'JobOutput'; readonly payload: JobOutput }
  | { readonly method: 'JobCompleted'; readonly payload: JobCompleted };

function recordJobEvents(connection: { on(method: string, handler: (payload: never) => void): void }): Arrival[] {
  const arrivals: Arrival[] = [];
  for (const method of ['JobProgressUpdate', 'JobOutput', 'JobCompleted'] as const) {
    connection.on(method, (payload: never) => arrivals.push({ method, payload } as Arrival));
  }
  return arrivals;
}

/** Writes `count` output items under a bound of two: the third becomes the truncation marker. */
const chatter = defineJobType({
  name: 'Chatter',
  input: Type.Object({ count: Type.Integer({ minimum: 1, maximum: 20 }) }, { additionalProperties: false }),
  outputLimits: { maxItems: 2 },
  async process(job, ctx) {
    for (let i = 1; i <= job.input.count; i++) await ctx.output({ n: i }, { stream: 'numbers' });
  },
});

const ofJob = (arrivals: readonly Arrival[], jobId: string) => arrivals.filter((a) => a.payload.jobId === jobId);
const outputLines = (arrivals: readonly Arrival[]) => arrivals.flatMap((a) => (a.method === 'JobOutput' ? [a.payload.data] : []));

describe('own job types', () => {
  const fixture = serviceFixture({ config: { jwtSecret: SECRET }, throttleIntervalMs: 50, plugins: [reportWriterPlugin(), definePlugin({ name: 'chatter', jobTypes: [chatter], register() {} })] });

  describe('POST /api/v1/jobs', () => {
    it('answers 202 with the job and how to follow it; the input is checked against the type schema', async () => {
      const { service } = fixture;
      const token = await userToken('alice');
      const created = await service.http('/api/v1/jobs', { token, body: { type: 'ReportWriter', input: { title: 'q1', lines: 2 }, tags: ['quarterly'] } });
      assert.equal(created.status, 202, JSON.stringify(created.body));
      assert.equal(created.body.job.jobType, 'ReportWriter');
      assert.deepEqual(created.body.job.tags, ['quarterly']);
      assert.equal(created.body.job.userId, 'alice');
      assert.deepEqual(created.body.follow, { hub: '/hubs/job-progress', method: 'SubscribeToJob', args: [created.body.job.jobId] });
      const done = await eventually(() => service.http(`/api/v1/jobs/${created.body.job.jobId}`, { token }), (r) => r.body.status === 'Completed', 10_000, 'the report');
      assert.deepEqual(done.body.result, { title: 'q1', lines: 2 });
      assert.deepEqual(done.body.metadata, { linesWritten: 2 });
    });

    it("refuses input that breaks the type's schema (400 with the schema's message) and creates nothing", async () => {
      const { service } = fixture;
      const token = await userToken('carol');
      for (const input of [{ title: 'x' }, { title: 'x', lines: '3' }, { title: 'x', lines: 3, extra: true }, null]) {
        const refused = await service.http('/api/v1/jobs', { token, body: { type: 'ReportWriter', input } });
        assert.equal(refused.status, 400, JSON.stringify(input));
        assert.match(refused.body.message, /^Invalid input for job type 'ReportWriter': /);
      }
      const missing = await service.http('/api/v1/jobs', { token, body: { type: 'ReportWriter', input: { title: 'x' } } });
      assert.match(missing.body.message, /lines/);
      const listed = await service.http('/api/v1/jobs?type=ReportWriter', { token });
      assert.equal(listed.status, 200);
      assert.equal(listed.body.jobs.length, 0, 'nothing was created');
    });

    it('refuses an unknown type (400 naming the known ones) and a body that is not strictly right', async () => {
      const { service } = fixture;
      const token = await userToken('carol');
      const unknown = await service.http('/api/v1/jobs', { token, body: { type: 'NoSuchType', input: {} } });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.message, /Unknown job type 'NoSuchType'\. Known types: .*ReportWriter/);
      assert.match(unknown.body.message, /VideoProcessing/);
      for (const body of [
        { type: 'ReportWriter', input: { title: 'x', lines: 1 }, priority: true },
        { type: 'ReportWriter', input: { title: 'x', lines: 1 }, tags: 'one' },
        { type: 'ReportWriter', input: { title: 'x', lines: 1 }, callback: 'http://example.com' },
        { type: 'ReportWriter', input: { title: 'x', lines: 1 }, token: 'yes' },
      ]) {
        assert.equal((await service.http('/api/v1/jobs', { token, body })).status, 400, JSON.stringify(body));
      }
      assert.equal((await service.http('/api/v1/jobs?type=ReportWriter', { token })).body.jobs.length, 0);
    });

    it('answers 200 with the same job for a repeated idempotency key of the same owner, a new job for another owner', async () => {
      const { service } = fixture;
      const [dave, erin] = await Promise.all([userToken('dave'), userToken('erin')]);
      const body = { type: 'ReportWriter', input: { title: 'once', lines: 1 }, idempotencyKey: 'report-once' };
      const first = await service.http('/api/v1/jobs', { token: dave, body });
      const again = await service.http('/api/v1/jobs', { token: dave, body });
      const other = await service.http('/api/v1/jobs', { token: erin, body });
      assert.equal(first.status, 202);
      assert.equal(again.status, 200);
      assert.equal(again.body.job.jobId, first.body.job.jobId);
      assert.equal(other.status, 202);
      assert.notEqual(other.body.job.jobId, first.body.job.jobId);
      assert.equal((await service.http('/api/v1/jobs?type=ReportWriter', { token: dave })).body.jobs.length, 1);
    });

    it('starts the video pipeline for VideoProcessing {url}, with the URL guard of the ingest route', async () => {
      const { service } = fixture;
      const token = await userToken('frank');
      const created = await service.http('/api/v1/jobs', { token, body: { type: 'VideoProcessing', input: { url: SEED_VIDEO_URL, title: 'Talk' }, tags: ['talks'] } });
      assert.equal(created.status, 202, JSON.stringify(created.body));
      assert.equal(created.body.job.jobType, 'VideoProcessing');
      assert.equal(created.body.job.steps.length, 3);
      assert.deepEqual(created.body.job.tags, ['talks']);
      assert.equal(created.body.job.metadata.title, 'Talk');
      for (const input of [{ url: 'http://127.0.0.1/video.mp4' }, { url: [SEED_VIDEO_URL] }, { url: SEED_VIDEO_URL, userId: 'frank' }, {}]) {
        const refused = await service.http('/api/v1/jobs', { token, body: { type: 'VideoProcessing', input } });
        assert.equal(refused.status, 400, JSON.stringify(input));
        assert.match(refused.body.message, /^Invalid input for job type 'VideoProcessing': input/);
      }
    });

    it('lists every type with its schemas at GET /api/v1/job-types', async () => {
      const { service } = fixture;
      const listed = await service.http('/api/v1/job-types', { token: await userToken('alice') });
      assert.equal(listed.status, 200);
      const byName = new Map<string, { input: { properties?: Record<string, unknown> }; metadata?: unknown; output?: unknown }>(
        listed.body.jobTypes.map((t: { name: string }) => [t.name, t]),
      );
      assert.deepEqual(Object.keys(byName.get('ReportWriter')!.input.properties!), ['title', 'lines', 'waitToStart', 'pauseAfter']);
      assert.deepEqual(byName.get('ReportWriter')!.output, { type: 'string' });
      assert.ok(byName.get('ReportWriter')!.metadata);
      assert.deepEqual(Object.keys(byName.get('VideoProcessing')!.input.properties!), ['url', 'title']);
    });

    it('filters GET /api/v1/jobs by type, tag and status', async () => {
      const { service } = fixture;
      const token = await userToken('gina');
      const submit = (title: string, tags: string[]) => service.http('/api/v1/jobs', { token, body: { type: 'ReportWriter', input: { title, lines: 1 }, tags } });
      const a = await submit('a', ['red']);
      await submit('b', ['blue']);
      await eventually(() => service.http('/api/v1/jobs?type=ReportWriter&status=Completed', { token }), (r) => r.body.jobs.length === 2, 10_000, 'both reports');
      const red = await service.http('/api/v1/jobs?tag=red', { token });
      assert.deepEqual(red.body.jobs.map((j: { jobId: string }) => j.jobId), [a.body.job.jobId]);
      assert.equal((await service.http('/api/v1/jobs?tag=red&ownerId=someone-else', { token })).status, 403);
    });
  });

  describe('following on /hubs/job-progress', () => {
    it('by id with a follow token: output and metadata arrive in sequence order, JobCompleted carries the result', async () => {
      const { service } = fixture;
      const token = await userToken('alice');
      const created = await service.http('/api/v1/jobs', { token, body: { type: 'ReportWriter', input: { title: 'by-id', lines: 4, waitToStart: true }, token: true } });
      assert.equal(created.status, 202);
      const { follow } = created.body;
      assert.equal(typeof follow.token, 'string');
      assert.ok(Date.parse(follow.expiresAt) > Date.now());
      const connection = await connect(service.hubUrl, websockets, { accessToken: follow.token });
      try {
        const arrivals = recordJobEvents(connection);
        await connection.invoke(follow.method, ...follow.args);
        releaseReport('by-id', 'start');
        await waitFor(() => arrivals.some((a) => a.method === 'JobCompleted'), 10_000);
        const sequences = arrivals.map((a) => a.payload.sequence);
        assert.ok(strictlyIncreasing(sequences), `sequences ${sequences.join(',')}`);
        assert.equal(arrivals[0]!.method, 'JobProgressUpdate', 'the snapshot first');
        assert.deepEqual(outputLines(arrivals), ['line 1 of by-id', 'line 2 of by-id', 'line 3 of by-id', 'line 4 of by-id']);
        const outputs = arrivals.filter((a) => a.method === 'JobOutput').map((a) => a.payload as JobOutput);
        assert.ok(outputs.every((o) => o.stream === 'log' && o.jobId === created.body.job.jobId && typeof o.timestamp === 'string'));
        const lastUpdate = arrivals.filter((a) => a.method === 'JobProgressUpdate').at(-1)!.payload as JobProgressUpdate;
        assert.deepEqual(lastUpdate.metadata, { linesWritten: 4 });
        const completed = arrivals.at(-1)!;
        assert.equal(completed.method, 'JobCompleted');
        assert.deepEqual((completed.payload as JobCompleted).result, { title: 'by-id', lines: 4 });
        // Nothing missing: the history has exactly what arrived after the snapshot.
        const history = await service.http(`/api/v1/jobs/${created.body.job.jobId}/events?after=${sequences[0]}`, { token: follow.token });
        assert.equal(history.status, 200);
        assert.deepEqual(history.body.events.map((e: { sequence: number }) => e.sequence), sequences.slice(1));
        assert.deepEqual(
          history.body.events.filter((e: { kind: string }) => e.kind === 'output').map((e: { output: { data: string } }) => e.output.data),
          outputLines(arrivals),
        );
      } finally {
        await connection.stop();
      }
    });

    it("by tag: every new job of the caller's with the tag, never another user's; replayed after a reconnect", async () => {
      const { service } = fixture;
      const [alice, bob] = await Promise.all([userToken('alice'), userToken('bob')]);
      const aliceConnection = await connect(service.hubUrl, websockets, { accessToken: alice });
      const bobConnection = await connect(service.hubUrl, websockets, { accessToken: bob });
      try {
        const aliceArrivals = recordJobEvents(aliceConnection);
        const bobArrivals = recordJobEvents(bobConnection);
        assert.deepEqual(await aliceConnection.invoke('SubscribeToTag', 'nightly'), []);
        assert.deepEqual(await bobConnection.invoke('SubscribeToTag', 'nightly'), []);
        const created = await service.http('/api/v1/jobs', {
          token: alice,
          body: { type: 'ReportWriter', input: { title: 'nightly-1', lines: 5, pauseAfter: 2 }, tags: ['nightly'] },
        });
        const jobId: string = created.body.job.jobId;
        await waitFor(() => outputLines(aliceArrivals).includes('line 2 of nightly-1'), 10_000);
        // Alice's client drops mid-job; the job goes on without it.
        await aliceConnection.stop();
        const seen = ofJob(aliceArrivals, jobId).map((a) => a.payload.sequence);
        assert.ok(strictlyIncreasing(seen));
        assert.equal(seen[0], 1, 'subscribed before the job existed: from its first event');
        releaseReport('nightly-1', 'resume');
        await eventually(() => service.http(`/api/v1/jobs/${jobId}`, { token: alice }), (r) => r.body.status === 'Completed', 10_000, 'the report');

        // Reconnect: the tag's current state, then what was missed from the history, in order.
        const again = await connect(service.hubUrl, websockets, { accessToken: alice });
        try {
          const states: JobProgressUpdate[] = await again.invoke('SubscribeToTag', 'nightly');
          assert.deepEqual(states.map((s) => s.jobId), [jobId]);
          const last = seen.at(-1)!;
          const missed = await service.http(`/api/v1/jobs/${jobId}/events?after=${last}`, { token: alice });
          const replayed = missed.body.events as { sequence: number; kind: string; output?: { data: string } }[];
          assert.deepEqual([...seen, ...replayed.map((e) => e.sequence)], Array.from({ length: states[0]!.sequence }, (_, i) => i + 1), 'no gap, no repeat');
          const lines = [...outputLines(ofJob(aliceArrivals, jobId)), ...replayed.filter((e) => e.kind === 'output').map((e) => e.output!.data)];
          assert.deepEqual(lines, [1, 2, 3, 4, 5].map((i) => `line ${i} of nightly-1`));
          assert.equal(replayed.at(-1)!.kind, 'completed');
        } finally {
          await again.stop();
        }

        // Bob follows the same tag and sees only his own job: alice's events all went out before his job existed.
        const bobs = await service.http('/api/v1/jobs', { token: bob, body: { type: 'ReportWriter', input: { title: 'nightly-bob', lines: 1 }, tags: ['nightly'] } });
        await waitFor(() => bobArrivals.some((a) => a.method === 'JobCompleted'), 10_000);
        assert.deepEqual([...new Set(bobArrivals.map((a) => a.payload.jobId))], [bobs.body.job.jobId]);
        await bobConnection.invoke('UnsubscribeFromTag', 'nightly');
      } finally {
        await Promise.all([aliceConnection.stop(), bobConnection.stop()]);
      }
    });
  });

  it("marks where a job's output was cut with a JobOutput that says so, in sequence", async () => {
    const { service } = fixture;
    const token = await userToken('lena');
    const connection = await connect(service.hubUrl, websockets, { accessToken: token });
    try {
      const arrivals = recordJobEvents(connection);
      await connection.invoke('SubscribeToTag', 'chatty');
      const created = await service.http('/api/v1/jobs', { token, body: { type: 'Chatter', input: { count: 5 }, tags: ['chatty'] } });
      await waitFor(() => arrivals.some((a) => a.method === 'JobCompleted'), 10_000);
      assert.ok(strictlyIncreasing(arrivals.map((a) => a.payload.sequence)));
      const outputs = arrivals.filter((a) => a.method === 'JobOutput').map((a) => a.payload as JobOutput);
      assert.deepEqual(outputs.map((o) => [o.stream, o.data, o.truncated ?? false]), [
        ['numbers', { n: 1 }, false],
        ['numbers', { n: 2 }, false],
        ['tidings', outputs[2]!.data, true],
      ]);
      assert.equal(outputs[2]!.dropped, 1);
      assert.match(String(outputs[2]!.data), /Output truncated/);
      const job = await service.http(`/api/v1/jobs/${created.body.job.jobId}`, { token });
      assert.deepEqual(job.body.outputStats, { items: 2, bytes: job.body.outputStats.bytes, truncated: true, dropped: 3 });
    } finally {
      await connection.stop();
    }
  });

  describe('follow tokens', () => {
    it('read their job and nothing else: another job, listing, cancel and submitting are refused', async () => {
      const { service } = fixture;
      const token = await userToken('henry');
      const submit = (title: string) => service.http('/api/v1/jobs', { token, body: { type: 'ReportWriter', input: { title, lines: 1, waitToStart: true } } });
      const mine = (await submit('scoped-a')).body.job.jobId as string;
      const other = (await submit('scoped-b')).body.job.jobId as string;
      const minted = await service.http(`/api/v1/jobs/${mine}/subscribe-token`, { method: 'POST', token });
      assert.equal(minted.status, 200);
      const expiresIn = Date.parse(minted.body.expiresAt) - Date.now();
      assert.ok(expiresIn > 14 * 60_000 && expiresIn <= 15 * 60_000, 'fifteen minutes by default');
      const follow: string = minted.body.token;

      assert.equal((await service.http(`/api/v1/jobs/${mine}`, { token: follow })).status, 200);
      assert.equal((await service.http(`/api/v1/jobs/${mine}/events`, { token: follow })).status, 200);
      assert.equal((await service.http(`/api/v1/jobs/${other}`, { token: follow })).status, 404);
      assert.equal((await service.http(`/api/v1/jobs/${other}/events`, { token: follow })).status, 404);
      assert.equal((await service.http('/api/v1/jobs', { token: follow })).status, 403);
      assert.equal((await service.http(`/api/v1/jobs/${mine}/cancel`, { method: 'POST', token: follow })).status, 403);
      assert.equal((await service.http(`/api/v1/jobs/${mine}/subscribe-token`, { method: 'POST', token: follow })).status, 403);
      assert.equal((await service.http('/api/v1/jobs', { token: follow, body: { type: 'ReportWriter', input: { title: 't', lines: 1 } } })).status, 403);
      // No other route of the API either.
      assert.equal((await service.http('/api/v1/signalr/connection-info', { token: follow })).status, 403);

      // Another user cannot mint one for henry's job.
      assert.equal((await service.http(`/api/v1/jobs/${mine}/subscribe-token`, { method: 'POST', token: await userToken('ivan') })).status, 404);

      const connection = await connect(service.hubUrl, websockets, { accessToken: follow });
      try {
        const errors: HubError[] = [];
        connection.on('Error', (error: HubError) => errors.push(error));
        const snapshot: JobProgressUpdate[] = [];
        connection.on('JobProgressUpdate', (update: JobProgressUpdate) => snapshot.push(update));
        await connection.invoke('SubscribeToJob', mine);
        await connection.invoke('SubscribeToJob', other);
        await waitFor(() => snapshot.length === 1 && errors.length === 1);
        assert.equal(snapshot[0]!.jobId, mine);
        assert.equal(errors[0]!.code, 'UNAUTHORIZED');
        await assert.rejects(connection.invoke('SubscribeToTag', 'any'), /don't have access/);
      } finally {
        await connection.stop();
        releaseReport('scoped-a', 'start');
        releaseReport('scoped-b', 'start');
      }
    });

    it("for a tag: follow the owner's jobs with that tag on the hub, and read them over REST", async () => {
      const { service } = fixture;
      const [jane, kim] = await Promise.all([userToken('jane'), userToken('kim')]);
      const minted = await service.http('/api/v1/tags/weekly/subscribe-token', { method: 'POST', token: jane });
      assert.equal(minted.status, 200);
      const connection = await connect(service.hubUrl, websockets, { accessToken: minted.body.token });
      try {
        const arrivals = recordJobEvents(connection);
        assert.deepEqual(await connection.invoke('SubscribeToTag', 'weekly'), []);
        await assert.rejects(connection.invoke('SubscribeToTag', 'daily'), /don't have access/);
        const kims = await service.http('/api/v1/jobs', { token: kim, body: { type: 'ReportWriter', input: { title: 'w-kim', lines: 1 }, tags: ['weekly'] } });
        await eventually(() => service.http(`/api/v1/jobs/${kims.body.job.jobId}`, { token: kim }), (r) => r.body.status === 'Completed', 10_000, "kim's report");
        const janes = await service.http('/api/v1/jobs', { token: jane, body: { type: 'ReportWriter', input: { title: 'w-jane', lines: 2 }, tags: ['weekly'] } });
        await waitFor(() => arrivals.some((a) => a.method === 'JobCompleted'), 10_000);
        assert.deepEqual([...new Set(arrivals.map((a) => a.payload.jobId))], [janes.body.job.jobId], "only jane's job");
        assert.deepEqual(outputLines(arrivals), ['line 1 of w-jane', 'line 2 of w-jane']);
        assert.equal((await service.http(`/api/v1/jobs/${janes.body.job.jobId}`, { token: minted.body.token })).status, 200);
        assert.equal((await service.http(`/api/v1/jobs/${kims.body.job.jobId}`, { token: minted.body.token })).status, 404);
      } finally {
        await connection.stop();
      }
    });
  });
});
