import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import type { HubError, JobProgressUpdate } from '../src/index.js';
import { type RunningService, SEED_VIDEO_URL, TRANSPORT_CASES, connect, record, serviceFixture, startService, tempDir, waitFor } from './support/service.js';

const SECRET = 'a-test-secret-of-more-than-32-characters!';

function sign(claims: Record<string, unknown>, options: { secret?: string; expiresIn?: string | number } = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

function unsigned(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
}

describe('authentication with JWT_SECRET set', () => {
  const dir = tempDir();
  let service: RunningService;
  let alice: string;
  let bob: string;
  const bad: Record<string, string> = {};
  before(async () => {
    // Many refused tokens from one address on purpose: the failed-authentication throttle has its own test.
    service = await startService(dir.path, { config: { jwtSecret: SECRET, demoSpeed: 20, authFailureLimit: 1000 } });
    alice = await sign({ sub: 'alice' });
    bob = await sign({ UserId: 'bob' });
    bad['no token'] = '';
    bad['bad signature'] = await sign({ sub: 'alice' }, { secret: 'some-other-secret-entirely-0123456789' });
    bad['alg: none'] = unsigned({ sub: 'alice' });
    bad.expired = await sign({ sub: 'alice' }, { expiresIn: Math.floor(Date.now() / 1000) - 3600 });
    bad['no user id'] = await sign({ role: 'admin' });
    bad.garbage = 'not.a.jwt';
  });
  after(async () => {
    await service.close();
    dir.cleanup();
  });

  it('refuses REST calls and hub negotiate without a valid token: 401', async () => {
    for (const [what, token] of Object.entries(bad)) {
      for (const path of ['/api/v1/jobs', '/api/v1/signalr/connection-info']) {
        const response = await service.http(path, { token: token || undefined });
        assert.equal(response.status, 401, `${what} on ${path}`);
        assert.equal(response.headers.get('www-authenticate'), 'Bearer');
      }
      const ingest = await service.http('/api/v1/videos/ingest', { body: { url: SEED_VIDEO_URL }, token: token || undefined });
      assert.equal(ingest.status, 401, `${what} on ingest`);
      const negotiate = await fetch(`${service.hubUrl}/negotiate?negotiateVersion=1`, {
        method: 'POST',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      assert.equal(negotiate.status, 401, `${what} on negotiate`);
      const viaQuery = await fetch(`${service.hubUrl}/negotiate?negotiateVersion=1${token ? `&access_token=${token}` : ''}`, { method: 'POST' });
      assert.equal(viaQuery.status, 401, `${what} on negotiate (query token)`);
    }
    assert.equal((await service.http('/api/v1/jobs')).body.message, 'A bearer token is required.');
    assert.equal((await service.http('/api/v1/jobs', { token: bad.expired })).body.message, 'The bearer token is invalid or expired.');
    await assert.rejects(connect(service.hubUrl, TRANSPORT_CASES[0]!, { accessToken: bad['alg: none'] }), /401/);
    await assert.rejects(connect(service.hubUrl, TRANSPORT_CASES[0]!), /401/);
    assert.equal((await service.http('/health')).status, 200, 'health needs no token');
    assert.equal((await service.http('/api/v1/auth/dev-token', { body: { userId: 'x' }, token: alice })).status, 404, 'no dev tokens with a secret');
  });

  it('takes the user id from sub or UserId (by default)', async () => {
    for (const [claims, id] of [
      [{ sub: 's-user' }, 's-user'],
      [{ UserId: 'u-user' }, 'u-user'],
    ] as const) {
      const token = await sign(claims);
      const info = await service.http('/api/v1/signalr/connection-info', { token });
      assert.equal(info.status, 200);
      assert.equal(info.body.userId, id);
      const connection = await connect(service.hubUrl, TRANSPORT_CASES[0]!, { accessToken: token });
      await connection.stop();
    }
  });

  it("keeps users apart: another user's job is UNAUTHORIZED on the hub and 404 over REST", async () => {
    const aliceConnection = await connect(service.hubUrl, TRANSPORT_CASES[0]!, { accessToken: alice });
    const bobConnection = await connect(service.hubUrl, TRANSPORT_CASES[1]!, { accessToken: bob });
    try {
      const aliceUpdates = record<JobProgressUpdate>(aliceConnection, 'JobProgressUpdate');
      const aliceCompleted = record<unknown>(aliceConnection, 'JobCompleted');
      const bobUpdates = record<JobProgressUpdate>(bobConnection, 'JobProgressUpdate');
      const bobVideo = record<unknown>(bobConnection, 'VideoProgressUpdate');
      const bobErrors = record<HubError>(bobConnection, 'Error');

      const ingest = await service.http('/api/v1/videos/ingest', { body: { url: `${SEED_VIDEO_URL}&auth` }, token: alice });
      assert.equal(ingest.status, 202);
      assert.equal(ingest.body.userId, 'alice');
      const { jobId, videoId } = ingest.body as { jobId: string; videoId: string };

      await bobConnection.invoke('SubscribeToJob', jobId);
      await bobConnection.invoke('SubscribeToVideo', videoId);
      assert.equal(await bobConnection.invoke('GetJobProgress', jobId), null);
      assert.equal(await bobConnection.invoke('GetVideoProgress', videoId), null);
      await waitFor(() => bobErrors.length === 4, 2000, "bob's four errors");
      assert.deepEqual(bobErrors.map((e) => e.code), ['UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED']);
      assert.equal(bobErrors[0]!.message, "You don't have access to job '" + jobId + "'.");

      await aliceConnection.invoke('SubscribeToJob', jobId);
      await waitFor(() => aliceCompleted.length === 1, 15_000, "alice's job completes");
      assert.ok(aliceUpdates.length > 1);
      assert.deepEqual(bobUpdates, [], 'bob never joined the job group');
      assert.deepEqual(bobVideo, [], 'nor the video group');

      for (const [method, path] of [
        ['GET', `/api/v1/jobs/${jobId}`],
        ['GET', `/api/v1/jobs/${jobId}/events`],
        ['GET', `/api/v1/videos/${videoId}/progress`],
        ['POST', `/api/v1/jobs/${jobId}/cancel`],
        ['POST', `/api/v1/jobs/${jobId}/retry`],
      ] as const) {
        const response = await service.http(path, { method, token: bob });
        assert.equal(response.status, 404, `bob ${method} ${path}`);
      }
      assert.equal((await service.http(`/api/v1/jobs/${jobId}`, { token: alice })).status, 200);
      assert.equal((await service.http('/api/v1/jobs?userId=alice', { token: bob })).status, 403);
      const bobsJobs = await service.http('/api/v1/jobs', { token: bob });
      assert.deepEqual(bobsJobs.body.jobs, []);
      const alicesJobs = await service.http('/api/v1/jobs', { token: alice });
      assert.equal(alicesJobs.body.jobs.length, 4, 'the pipeline and its three steps');
      const spoofed = await service.http('/api/v1/videos/ingest', { body: { url: SEED_VIDEO_URL, userId: 'alice' }, token: bob });
      assert.equal(spoofed.status, 403);
    } finally {
      await aliceConnection.stop();
      await bobConnection.stop();
    }
  });
});

describe('open development mode (no JWT_SECRET)', () => {
  const fixture = serviceFixture({ config: { demoSpeed: 20 } });

  it('accepts anonymous callers, issues dev tokens, and still refuses a bad token', async () => {
    const info = await fixture.service.http('/api/v1/signalr/connection-info');
    assert.equal(info.status, 200);
    assert.equal(info.body.userId, null);
    const anonymous = await connect(fixture.service.hubUrl, TRANSPORT_CASES[0]!);
    await anonymous.stop();

    const issued = await fixture.service.http('/api/v1/auth/dev-token', { body: { userId: 'dev-user' } });
    assert.equal(issued.status, 200);
    assert.equal(issued.body.tokenType, 'Bearer');
    const token = issued.body.token as string;
    assert.equal((await fixture.service.http('/api/v1/signalr/connection-info', { token })).body.userId, 'dev-user');
    const connection = await connect(fixture.service.hubUrl, TRANSPORT_CASES[0]!, { accessToken: token });
    const notices = record<unknown>(connection, 'UserNotification');
    try {
      const ingest = await fixture.service.http('/api/v1/videos/ingest', { body: { url: SEED_VIDEO_URL }, token });
      assert.equal(ingest.body.userId, 'dev-user');
      await waitFor(() => notices.length === 1, 15_000, "the owner's user group hears of the outcome without subscribing");
    } finally {
      await connection.stop();
    }
    assert.equal((await fixture.service.http('/api/v1/jobs', { token: 'not.a.jwt' })).status, 401);
    const forged = await sign({ sub: 'dev-user' }, { secret: 'guessing-the-dev-key-does-not-work!!' });
    await assert.rejects(connect(fixture.service.hubUrl, TRANSPORT_CASES[0]!, { accessToken: forged }), /401/);
    assert.equal((await fixture.service.http('/api/v1/auth/dev-token', { body: {} })).status, 400);
  });
});
