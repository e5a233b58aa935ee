/**
 * `@tidings/client` following a job type of the user's own (ReportWriter,
 * from the server's test module) against the real service: by id with a
 * follow token, and by tag across a cut connection — events and output once,
 * in sequence order, typed from the type's definition.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { type InputOf, type JobEvent, type JobOutput, JobProgressClient, type OutputOf, type ResultOf, TidingsApiError } from '../src/index.js';
import { startTcpProxy } from '../../../test-support/tcp-proxy.js';
import reportWriterPlugin from '../../server/test/fixtures/report-writer-plugin.js';
import { releaseReport, type reportWriter } from '../../server/test/fixtures/report-writer.js';
import { freePort, memoryLogger, startService, tempDir, waitFor } from './support/service.js';

const SECRET = 'a-test-secret-of-more-than-32-characters!';

function userToken(userId: string): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
}

// Typed from the definition (compile-time checks: `npx tsc -p tsconfig.test.json`).
const typedInput: InputOf<typeof reportWriter> = { title: 'typed', lines: 2 };
// @ts-expect-error lines is an integer in ReportWriter's schema
const wrongInput: InputOf<typeof reportWriter> = { title: 'typed', lines: 'two' };
const typedOutput: OutputOf<typeof reportWriter> = 'a line';
// @ts-expect-error ReportWriter writes strings
const wrongOutput: OutputOf<typeof reportWriter> = 3;
void [typedInput, wrongInput, typedOutput, wrongOutput];
type Result = ResultOf<typeof reportWriter>;

/** Events and output items in the order the client delivered them. */
function recordAll(client: JobProgressClient): (JobEvent | { type: 'JobOutput'; sequence: number; jobId: string; payload: JobOutput })[] {
  const all: (JobEvent | { type: 'JobOutput'; sequence: number; jobId: string; payload: JobOutput })[] = [];
  client.onJobEvent((event) => all.push(event));
  client.onJobOutput((output) => all.push({ type: 'JobOutput', sequence: output.sequence, jobId: output.jobId, payload: output }));
  return all;
}

describe('@tidings/client and a job type of your own', () => {
  it('follows one job with a follow token: every event and output item once, in order, the result typed', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const service = await startService(dir.path, { config: { jwtSecret: SECRET }, throttleIntervalMs: 50, plugins: [reportWriterPlugin()] });
    t.after(() => service.close());
    const owner = new JobProgressClient({ baseUrl: service.url, accessToken: await userToken('alice'), logger: memoryLogger() });
    const input: InputOf<typeof reportWriter> = { title: 'client-by-id', lines: 3, waitToStart: true };
    const { job, follow } = await owner.api.submitJob({ type: 'ReportWriter', input, token: true });
    assert.ok(follow.token);

    const follower = new JobProgressClient({ baseUrl: service.url, accessToken: follow.token, logger: memoryLogger() });
    t.after(() => follower.stop());
    const all = recordAll(follower);
    await follower.start();
    await follower.subscribeToJob(job.jobId, { after: 0 });
    releaseReport('client-by-id', 'start');
    await waitFor(() => all.some((e) => e.type === 'JobCompleted'), 10_000, 'the report');

    assert.deepEqual(all.map((e) => e.sequence), Array.from({ length: all.length }, (_, i) => i + 1), 'every sequence once, from 1');
    assert.deepEqual(all.filter((e) => e.type === 'JobOutput').map((e) => e.payload.data), [1, 2, 3].map((i) => `line ${i} of client-by-id`));
    const completed = all.at(-1)!;
    assert.equal(completed.type, 'JobCompleted');
    const result = completed.payload.result as Result;
    assert.deepEqual(result, { title: 'client-by-id', lines: 3 });
    await assert.rejects(follower.api.listJobs(), (error: unknown) => error instanceof TidingsApiError && error.status === 403);
  });

  it('follows a tag across a cut connection: what was missed, output included, arrives once and in order', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const service = await startService(dir.path, { config: { jwtSecret: SECRET }, throttleIntervalMs: 50, plugins: [reportWriterPlugin()] });
    t.after(() => service.close());
    const servicePort = Number(new URL(service.url).port);
    const proxy = await startTcpProxy(servicePort);
    t.after(() => proxy.close());
    const token = await userToken('bob');
    const client = new JobProgressClient({ baseUrl: `http://127.0.0.1:${proxy.port}`, accessToken: token, reconnectDelaysMs: [0, 200, 400], logger: memoryLogger() });
    t.after(() => client.stop());
    const all = recordAll(client);
    await client.start();
    assert.deepEqual(await client.subscribeToTag('client-nightly'), []);

    const { job } = await client.api.submitJob({ type: 'ReportWriter', input: { title: 'client-tag', lines: 5, pauseAfter: 2 }, tags: ['client-nightly'] });
    await waitFor(() => all.some((e) => e.type === 'JobOutput' && e.payload.data === 'line 2 of client-tag'), 10_000, 'two lines');
    proxy.setTarget(await freePort());
    proxy.dropConnections();
    await waitFor(() => client.state === 'reconnecting', 5000, 'the client to notice');
    releaseReport('client-tag', 'resume');
    const direct = new JobProgressClient({ baseUrl: service.url, accessToken: token, logger: memoryLogger() });
    for (const deadline = Date.now() + 10_000; (await direct.api.getJob(job.jobId)).status !== 'Completed'; ) {
      if (Date.now() > deadline) throw new Error('the report did not complete');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(!all.some((e) => e.type === 'JobCompleted'), 'nothing arrived during the outage');
    proxy.setTarget(servicePort);

    await waitFor(() => all.some((e) => e.type === 'JobCompleted'), 20_000, 'the client to catch up');
    const ofJob = all.filter((e) => e.jobId === job.jobId);
    assert.deepEqual(ofJob.map((e) => e.sequence), Array.from({ length: ofJob.length }, (_, i) => i + 1), 'no gap, no repeat');
    assert.deepEqual(ofJob.filter((e) => e.type === 'JobOutput').map((e) => e.payload.data), [1, 2, 3, 4, 5].map((i) => `line ${i} of client-tag`));
  });
});
