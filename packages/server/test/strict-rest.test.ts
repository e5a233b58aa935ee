import assert from 'node:assert/strict';
import { type IncomingMessage, createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { FetchUrlGuard } from '../src/http/fetch-url-guard.js';
import { MASTER_KEY, SEED_VIDEO_URL, seedServiceFixture } from './support/seed-service.js';

type Case = [what: string, path: string, body: unknown, message: RegExp];

describe('strict REST: bad input is refused, never coerced or stripped, and nothing is created', () => {
  const fixture = seedServiceFixture({ config: { demoSpeed: 20 } });

  it('answers 400 for wrong types and unknown properties on every body', async () => {
    const { service } = fixture;
    const key = (await service.http('/api/conduit/admin/virtual-keys', { body: { name: 'strict' }, token: MASTER_KEY })).body.key as string;
    const deployment = { module: { name: 'billing', version: '1.2.3' }, targetEnvironment: 'QA' };
    const cases: (Case | [...Case, string])[] = [
      ['url as an array', '/api/v1/videos/ingest', { url: [SEED_VIDEO_URL] }, /body\/url must be string/],
      ['priority true', '/api/v1/videos/ingest', { url: SEED_VIDEO_URL, priority: true }, /body\/priority must be integer|body\/priority must be string|priority/],
      ['priority null', '/api/v1/videos/ingest', { url: SEED_VIDEO_URL, priority: null }, /body\/priority/],
      ['userId a number', '/api/v1/videos/ingest', { url: SEED_VIDEO_URL, userId: 123 }, /body\/userId must be string/],
      ['title a number', '/api/v1/videos/ingest', { url: SEED_VIDEO_URL, title: 7 }, /body\/title must be string/],
      ['unknown property', '/api/v1/videos/ingest', { url: SEED_VIDEO_URL, callback: 'https://x.example' }, /body has an unknown property 'callback'/],
      ['dev token userId a number', '/api/v1/auth/dev-token', { userId: 123 }, /body\/userId must be string/],
      ['dev token unknown property', '/api/v1/auth/dev-token', { userId: 'u', admin: true }, /body has an unknown property 'admin'/],
      ['deployment unknown property', '/api/deployments', { ...deployment, force: true }, /body has an unknown property 'force'/],
      ['deployment module unknown property', '/api/deployments', { ...deployment, module: { ...deployment.module, path: '/x' } }, /body\/module has an unknown property 'path'/],
      ['deployment version a number', '/api/deployments', { ...deployment, module: { name: 'billing', version: 1 } }, /body\/module\/version must be string/],
      ['virtual key budget a string', '/api/conduit/admin/virtual-keys', { name: 'k', maxBudget: '5' }, /body\/maxBudget must be number/, MASTER_KEY],
      ['spend as a string', '/api/conduit/spend', { amount: '5' }, /body\/amount must be number/, key],
      ['generation n as a string', '/api/conduit/images/generations', { prompt: 'a cat', n: '2' }, /body\/n must be integer/, key],
    ];
    for (const [what, path, body, message, token] of cases) {
      const response = await service.http(path, { body, token });
      assert.equal(response.status, 400, `${what}: ${JSON.stringify(response.body)}`);
      assert.match(response.body.message, message, what);
    }
    assert.deepEqual((await service.http('/api/v1/jobs')).body.jobs, [], 'no job was created');
    assert.equal((await service.http('/api/conduit/admin/virtual-keys', { token: MASTER_KEY })).body.virtualKeys.length, 1, 'no key was created');
    // Query strings and path parameters are text: integers in them are still read as integers.
    assert.equal((await service.http('/api/v1/jobs?limit=5&offset=0')).status, 200);
  });

  it('refuses URLs the processors would fetch that point at loopback, link-local or private addresses', async () => {
    const { service } = fixture;
    const key = (await service.http('/api/conduit/admin/virtual-keys', { body: { name: 'ssrf' }, token: MASTER_KEY })).body.key as string;
    for (const url of [
      'http://127.0.0.1:8080/video.mp4',
      'http://localhost/video.mp4',
      'http://api.localhost/video.mp4',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.1.2.3/v',
      'http://172.16.0.1/v',
      'http://192.168.1.10/v',
      'http://[::1]/v',
      'http://[fe80::1]/v',
      'http://[fd00::1]/v',
      'http://[::ffff:127.0.0.1]/v',
      'http://2130706433/v',
      'http://0.0.0.0/v',
      'http://100.64.0.1/v',
    ]) {
      const response = await service.http('/api/v1/videos/ingest', { body: { url } });
      assert.equal(response.status, 400, `${url}: ${JSON.stringify(response.body)}`);
      assert.match(response.body.message, /url points at a (loopback|link-local|private|unspecified|reserved|shared|local)[^.]* address|url names a local host/, url);
    }
    const hook = await service.http('/api/conduit/videos/generations', { body: { prompt: 'a cat', webhookUrl: 'http://169.254.169.254/hook' }, token: key });
    assert.equal(hook.status, 400, JSON.stringify(hook.body));
    assert.match(hook.body.message, /webhookUrl points at a link-local address/);
    assert.deepEqual((await service.http('/api/v1/jobs')).body.jobs, [], 'nothing was created');
    assert.equal((await service.http('/api/v1/videos/ingest', { body: { url: SEED_VIDEO_URL } })).status, 202, 'public URLs pass');
  });
});

describe('the guard against server-side request forgery is off only when configured so', () => {
  const fixture = seedServiceFixture({ config: { demoSpeed: 20, allowPrivateUrls: true } });

  it('accepts private URLs with ALLOW_PRIVATE_URLS=true', async () => {
    const response = await fixture.service.http('/api/v1/videos/ingest', { body: { url: 'http://127.0.0.1:8080/video.mp4' } });
    assert.equal(response.status, 202, JSON.stringify(response.body));
  });
});

describe('a processor that fetches with the guard cannot be pointed inside the network by a name', () => {
  it("refuses the connection when the name resolves to a loopback address, and allows it only when configured", async () => {
    const target = createServer((_request, response) => response.end('inside'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as AddressInfo).port;
    const fetchWith = (guard: FetchUrlGuard) =>
      new Promise<IncomingMessage>((resolve, reject) => get({ host: 'localhost', port, path: '/', lookup: guard.lookup, family: 4 }, resolve).on('error', reject));
    try {
      await assert.rejects(fetchWith(new FetchUrlGuard()), /localhost resolves only to addresses the service must not fetch \(127\.0\.0\.1/);
      const response = await fetchWith(new FetchUrlGuard({ allowPrivate: true }));
      assert.equal(response.statusCode, 200);
      response.resume();
    } finally {
      await new Promise((resolve) => target.close(resolve));
    }
  });
});
