import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createTidingsServer } from '../src/index.js';
import { SEED_VIDEO_URL, serviceFixture, tempDir } from './support/service.js';

describe('service endpoints', () => {
  const fixture = serviceFixture({ config: { corsOrigins: ['http://localhost:3000'] } });

  it('GET /api/v1/signalr/connection-info answers exactly as seed 001 §6 Step 2 shows', async () => {
    const response = await fixture.service.http('/api/v1/signalr/connection-info');
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, {
      hubUrl: '/hubs/job-progress',
      userId: null,
      instructions: {
        connect: 'Use SignalR client library to connect to the hub',
        authentication: 'Pass JWT token in accessTokenFactory option',
        subscribeToJob: "Call hub.invoke('SubscribeToJob', jobId) to receive job updates",
        subscribeToVideo: "Call hub.invoke('SubscribeToVideo', videoId) to receive video updates",
        unsubscribeFromJob: "Call hub.invoke('UnsubscribeFromJob', jobId) to stop receiving job updates",
        getJobProgress: "Call hub.invoke('GetJobProgress', jobId) to get current job status",
        getVideoProgress: "Call hub.invoke('GetVideoProgress', videoId) to get current video status",
      },
      events: [
        'JobProgressUpdate - Fired when job progress updates',
        'JobCompleted - Fired when job completes successfully',
        'JobFailed - Fired when job fails',
        'VideoProgressUpdate - Fired when video progress updates',
        'UserNotification - Fired for user-specific notifications',
        'BroadcastNotification - Fired for system-wide notifications',
        'Error - Fired when an error occurs',
      ],
    });
  });

  it('GET /health reports the mode and counters', async () => {
    const response = await fixture.service.http('/health');
    assert.equal(response.status, 200);
    assert.equal(response.body.status, 'ok');
    assert.equal(response.body.mode, 'open');
    assert.equal(typeof response.body.jobs.running, 'number');
    assert.deepEqual(Object.keys(response.body.hubs), ['/hubs/job-progress']);
  });

  it('serves Swagger UI at /swagger with local assets, and an OpenAPI document of the REST API', async () => {
    const page = await fetch(`${fixture.service.url}/swagger`, { redirect: 'follow' });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /swagger-ui/i);
    assert.doesNotMatch(html, /https?:\/\/(cdn|unpkg)/, 'no CDN');
    const doc = (await fixture.service.http('/swagger/json')).body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.match(doc.openapi, /^3\./);
    for (const path of [
      '/api/v1/videos/ingest',
      '/api/v1/videos/{id}/progress',
      '/api/v1/jobs',
      '/api/v1/jobs/{id}',
      '/api/v1/jobs/{id}/cancel',
      '/api/v1/jobs/{id}/retry',
      '/api/v1/jobs/{id}/events',
      '/api/v1/signalr/connection-info',
      '/api/v1/auth/dev-token',
      '/health',
    ]) {
      assert.ok(doc.paths[path], `OpenAPI documents ${path}`);
    }
    assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/hubs/')), 'hub transport endpoints are not REST');
  });

  it('serves the official browser client at /lib/signalr/signalr.min.js', async () => {
    const response = await fetch(`${fixture.service.url}/lib/signalr/signalr.min.js`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /javascript/);
    const source = await response.text();
    assert.match(source, /HubConnectionBuilder/);
    assert.equal((await fetch(`${fixture.service.url}/lib/signalr/..%2Fpackage.json`)).status, 404);
  });

  it('applies CORS_ORIGINS to REST and hub negotiate alike', async () => {
    const allowed = await fetch(`${fixture.service.url}/api/v1/jobs`, { headers: { origin: 'http://localhost:3000' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://localhost:3000');
    const preflight = await fetch(`${fixture.service.url}/api/v1/videos/ingest`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    assert.ok(preflight.status === 204 || preflight.status === 200, `preflight ${preflight.status}`);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:3000');
    const other = await fetch(`${fixture.service.url}/api/v1/jobs`, { headers: { origin: 'http://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    const negotiate = await fetch(`${fixture.service.hubUrl}/negotiate?negotiateVersion=1`, { method: 'POST', headers: { origin: 'http://localhost:3000' } });
    assert.equal(negotiate.status, 200);
    assert.equal(negotiate.headers.get('access-control-allow-origin'), 'http://localhost:3000');
    const refused = await fetch(`${fixture.service.hubUrl}/negotiate?negotiateVersion=1`, { method: 'POST', headers: { origin: 'http://evil.example' } });
    assert.equal(refused.status, 403);
  });

  it('ingest answers 202 with the jobId to subscribe to, the videoId and the steps', async () => {
    const response = await fixture.service.http('/api/v1/videos/ingest', { body: { url: SEED_VIDEO_URL, userId: 'test-user-123', priority: 1 } });
    assert.equal(response.status, 202);
    const body = response.body;
    assert.equal(body.status, 'Pending');
    assert.equal(body.message, 'Video ingestion started');
    assert.equal(body.userId, 'test-user-123');
    assert.equal(body.priority, 1);
    assert.equal(body.hubUrl, '/hubs/job-progress');
    assert.deepEqual(body.jobs.map((j: { jobType: string; stage: string }) => [j.jobType, j.stage]), [
      ['VideoIngestion', 'Video ingestion'],
      ['Transcription', 'Transcription'],
      ['EmbeddingGeneration', 'Embedding generation'],
    ]);
    const job = await fixture.service.http(`/api/v1/jobs/${body.jobId}`);
    assert.equal(job.body.videoId, body.videoId);
    assert.equal(job.body.userId, 'test-user-123');
    assert.equal((await fixture.service.http(`/api/v1/jobs?userId=test-user-123&jobType=VideoProcessing`)).body.jobs.length, 1);
  });
});

describe('request lines at LOG_LEVEL=debug', () => {
  it('leave out the bearer token browsers send as access_token', async (t) => {
    const dir = tempDir();
    t.after(() => dir.cleanup());
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const server = await createTidingsServer({ config: { port: 0, host: '127.0.0.1', dataDir: dir.path, logLevel: 'debug' }, logger });
    t.after(() => server.close());
    const url = await server.listen();
    const token = 'eyJhbGciOiJIUzI1NiJ9.secret-part';
    await fetch(`${url}/hubs/job-progress/negotiate?negotiateVersion=1&access_token=${token}`, { method: 'POST' });
    await fetch(`${url}/api/v1/jobs?access_token=${token}&limit=5`);
    const requests = lines.filter((line) => line.includes('incoming request'));
    assert.equal(requests.length, 2);
    assert.ok(lines.every((line) => !line.includes('secret-part')), 'no token in the log');
    assert.match(requests[0]!, /"url":"\/hubs\/job-progress\/negotiate\?negotiateVersion=1&access_token=\[redacted\]"/);
    assert.match(requests[1]!, /"url":"\/api\/v1\/jobs\?access_token=\[redacted\]&limit=5"/);
  });
});
