import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HubError, JobProgressUpdate } from '../src/index.js';
import { SEED_VIDEO_URL, TRANSPORT_CASES, connect, record, serviceFixture, waitFor } from './support/service.js';

describe('bad input is refused clearly, and nothing is created', () => {
  const fixture = serviceFixture({ config: { demoSpeed: 20 } });

  it('answers 400 with a message for every invalid ingest', async () => {
    const cases: [string, { body?: unknown; rawBody?: string; headers?: Record<string, string> }, RegExp][] = [
      ['missing url', { body: { userId: 'u', priority: 1 } }, /body must have required property 'url'/],
      ['empty url', { body: { url: '' } }, /body\/url must NOT have fewer than 1 characters/],
      ['not a URL', { body: { url: 'dQw4w9WgXcQ' } }, /url must be an absolute http\(s\) URL/],
      ['not http(s)', { body: { url: 'ftp://example.com/video.mp4' } }, /url must use http or https, not ftp/],
      ['javascript: URL', { body: { url: 'javascript:alert(1)' } }, /url must use http or https/],
      ['url not a string', { body: { url: { href: SEED_VIDEO_URL } } }, /body\/url must be string/],
      ['priority out of range', { body: { url: SEED_VIDEO_URL, priority: 7 } }, /priority must be 0 \(Low\), 1 \(Normal\), 2 \(High\) or 3 \(Critical\).*got '7'/],
      ['unknown priority name', { body: { url: SEED_VIDEO_URL, priority: 'Urgent' } }, /got 'Urgent'/],
      ['fractional priority', { body: { url: SEED_VIDEO_URL, priority: 1.5 } }, /priority must be/],
      ['malformed JSON', { rawBody: '{"url": "https://x.example/v", ' }, /not valid JSON/i],
      ['empty JSON body', { rawBody: '', headers: { 'content-type': 'application/json' } }, /empty/i],
      ['an array body', { body: [SEED_VIDEO_URL] }, /body must be object/],
      ['empty userId', { body: { url: SEED_VIDEO_URL, userId: '' } }, /userId must NOT have fewer than 1 characters/],
    ];
    for (const [what, request, message] of cases) {
      const response = await fixture.service.http('/api/v1/videos/ingest', { method: 'POST', ...request });
      assert.equal(response.status, 400, `${what}: ${JSON.stringify(response.body)}`);
      assert.match(response.body.message, message, what);
      assert.equal(response.body.statusCode, 400);
    }
    assert.deepEqual((await fixture.service.http('/api/v1/jobs')).body.jobs, [], 'no job was created');

    for (const priority of [0, 3, 'high', 'Critical', '2']) {
      const ok = await fixture.service.http('/api/v1/videos/ingest', { body: { url: SEED_VIDEO_URL, priority } });
      assert.equal(ok.status, 202, `priority ${priority}`);
    }
  });

  it('answers 400 for malformed ids and queries, 404 for unknown jobs and videos', async () => {
    const bad: [string, RegExp][] = [
      ['/api/v1/jobs/has%20space', /params\/id must match pattern/],
      ['/api/v1/jobs/bad!id', /params\/id must match pattern/],
      ['/api/v1/jobs/abc/events?after=-1', /querystring\/after must be >= 0/],
      ['/api/v1/jobs/abc/events?after=soon', /querystring\/after must be integer/],
      ['/api/v1/jobs/abc/events?limit=0', /querystring\/limit must be >= 1/],
      ['/api/v1/jobs?status=Paused', /querystring\/status must be one of: Pending, Running, Completed, Failed, Cancelled/],
      ['/api/v1/jobs?limit=100000', /querystring\/limit must be <= 500/],
      ['/api/v1/videos/-leading-dash/progress', /params\/id must match pattern/],
    ];
    for (const [path, message] of bad) {
      const response = await fixture.service.http(path);
      assert.equal(response.status, 400, path);
      assert.match(response.body.message, message, path);
    }
    assert.equal((await fixture.service.http(`/api/v1/jobs/${'x'.repeat(101)}`)).status, 414, "Fastify's limit on a path parameter's length");
    assert.equal((await fixture.service.http('/api/v1/jobs/no-such-job')).status, 404);
    assert.equal((await fixture.service.http('/api/v1/jobs/no-such-job')).body.message, "Job 'no-such-job' was not found.");
    assert.equal((await fixture.service.http('/api/v1/jobs/no-such-job/cancel', { method: 'POST' })).status, 404);
    assert.equal((await fixture.service.http('/api/v1/jobs/no-such-job/retry', { method: 'POST' })).status, 404);
    assert.equal((await fixture.service.http('/api/v1/jobs/no-such-job/events')).status, 404);
    assert.equal((await fixture.service.http('/api/v1/videos/no-such-video/progress')).status, 404);
  });

  it('hub: unknown ids give Error NOT_FOUND, malformed ids a clear error; the connection lives on', async () => {
    const connection = await connect(fixture.service.hubUrl, TRANSPORT_CASES[0]!);
    try {
      const errors = record<HubError>(connection, 'Error');
      const updates = record<JobProgressUpdate>(connection, 'JobProgressUpdate');
      assert.equal(await connection.invoke('GetJobProgress', 'no-such-job'), null);
      await connection.invoke('SubscribeToJob', 'no-such-job');
      await connection.invoke('SubscribeToVideo', 'no-such-video');
      assert.equal(await connection.invoke('GetVideoProgress', 'no-such-video'), null);
      await waitFor(() => errors.length === 4, 2000, 'four NOT_FOUND errors');
      assert.deepEqual(errors.map((e) => e.code), ['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
      assert.equal(errors[0]!.message, "Job 'no-such-job' was not found.");
      assert.equal(errors[2]!.message, "Video 'no-such-video' was not found.");

      const malformed: [string, unknown[], RegExp][] = [
        ['SubscribeToJob', [''], /jobId must not be empty/],
        ['SubscribeToJob', ['   '], /jobId must not be empty/],
        ['SubscribeToJob', [42], /jobId must be a string, not number/],
        ['SubscribeToJob', [null], /jobId must be a string, not null/],
        ['SubscribeToJob', ['job with spaces'], /jobId must be 1–100 letters/],
        ['UnsubscribeFromJob', [{}], /jobId must be a string, not object/],
        ['SubscribeToVideo', ['x'.repeat(500)], /videoId must be 1–100 letters/],
        ['GetVideoProgress', [['a']], /videoId must be a string/],
        // ASP.NET shows a binding failure's InvalidDataException only with detailed errors.
        ['GetJobProgress', [], /^Error: Failed to invoke 'GetJobProgress' due to an error on the server\.$/],
        ['SubscribeToJob', ['a', 'b'], /^Error: Failed to invoke 'SubscribeToJob' due to an error on the server\.$/],
      ];
      errors.length = 0;
      for (const [method, args, message] of malformed) {
        await assert.rejects(connection.invoke(method, ...args), message, `${method}(${JSON.stringify(args)})`);
      }
      await waitFor(() => errors.length === 8, 2000, 'VALIDATION_ERROR events for the eight bad ids');
      assert.ok(errors.every((e) => e.code === 'VALIDATION_ERROR'));

      const ingest = await fixture.service.http('/api/v1/videos/ingest', { body: { url: SEED_VIDEO_URL } });
      const progress = await connection.invoke<JobProgressUpdate>('GetJobProgress', ingest.body.jobId);
      assert.equal(progress.jobId, ingest.body.jobId, 'the connection still works');
      await connection.invoke('SubscribeToJob', ingest.body.jobId);
      await waitFor(() => updates.length > 0, 2000, 'updates after all that');
    } finally {
      await connection.stop();
    }
  });
});
