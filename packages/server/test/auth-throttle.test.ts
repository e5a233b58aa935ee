import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { MASTER_KEY, seedServiceFixture } from './support/seed-service.js';

const SECRET = 'a-test-secret-of-more-than-32-characters!';

function sign(claims: Record<string, unknown>, secret = SECRET): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(secret));
}

describe('credential guessing over REST is throttled per client IP', () => {
  const fixture = seedServiceFixture({ config: { jwtSecret: SECRET, authFailureLimit: 3, authFailureWindowSeconds: 600 } });

  it('counts refused JWTs, master keys and virtual keys alike; past the limit answers 429 with Retry-After before verifying', async () => {
    const { service } = fixture;
    const valid = await sign({ sub: 'alice' });
    const issued = await service.http('/api/conduit/admin/virtual-keys', { body: { name: 'throttle' }, token: MASTER_KEY });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const virtualKey = issued.body.key as string;

    // A request without any credential is not a guess: it never counts.
    for (let i = 0; i < 5; i++) assert.equal((await service.http('/api/v1/jobs')).status, 401);
    assert.equal((await service.http('/api/v1/jobs', { token: valid })).status, 200);

    // One guess of each kind: a forged JWT, a wrong master key, a wrong virtual key.
    assert.equal((await service.http('/api/v1/jobs', { token: await sign({ sub: 'alice' }, 'a-guessed-secret-of-32-characters-long!') })).status, 401);
    assert.equal((await service.http('/api/conduit/admin/virtual-keys', { token: 'mk_guessed-master-key-000' })).status, 401);
    assert.equal((await service.http('/api/conduit/spend', { token: 'condt_guessed-virtual-key-000' })).status, 401);

    // The limit is reached: every credential from this address is refused unread, the right ones too.
    for (const [path, token] of [
      ['/api/v1/jobs', valid],
      ['/api/deployments', valid],
      ['/api/conduit/admin/virtual-keys', MASTER_KEY],
      ['/api/conduit/spend', virtualKey],
    ] as const) {
      const response = await service.http(path, { token });
      assert.equal(response.status, 429, `${path}: ${JSON.stringify(response.body)}`);
      const retryAfter = Number(response.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 600, `Retry-After ${response.headers.get('retry-after')}`);
      assert.match(response.body.message, /Too many failed authentication attempts/);
    }
    // The hubs refuse the address too, the JWT hubs and Conduit's alike (the hub answers 401: its own 429 is the hub's to give).
    for (const [path, token] of [
      ['/hubs/job-progress', valid],
      ['/hubs/progress', valid],
      ['/hubs/admin-notifications', MASTER_KEY],
      ['/hubs/tasks', virtualKey],
    ] as const) {
      const negotiate = await fetch(`${service.url}${path}/negotiate?negotiateVersion=1`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      assert.equal(negotiate.status, 401, path);
    }
    assert.equal((await service.http('/health')).status, 200, 'health needs no credential and is not throttled');
  });
});

describe('credential guessing over the hubs counts too', () => {
  const fixture = seedServiceFixture({ config: { jwtSecret: SECRET, authFailureLimit: 3, authFailureWindowSeconds: 600 } });

  it("wrong master keys, virtual keys and JWTs at negotiate count against the IP; REST then answers 429", async () => {
    const { service } = fixture;
    const forged = await sign({ sub: 'alice' }, 'a-guessed-secret-of-32-characters-long!');
    for (const [path, token] of [
      ['/hubs/admin-notifications', 'mk_guessed-master-key-000'],
      ['/hubs/tasks', 'condt_guessed-virtual-key-000'],
      ['/hubs/job-progress', forged],
    ] as const) {
      const negotiate = await fetch(`${service.url}${path}/negotiate?negotiateVersion=1`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      assert.equal(negotiate.status, 401, path);
    }
    const response = await service.http('/api/conduit/admin/virtual-keys', { token: MASTER_KEY });
    assert.equal(response.status, 429);
    assert.ok(Number(response.headers.get('retry-after')) >= 1);
  });
});
