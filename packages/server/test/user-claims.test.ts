import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { AuthService, Unauthenticated } from '../src/auth/auth-service.js';
import { SEED_VIDEO_URL, TRANSPORT_CASES, connect, seedServiceFixture } from './support/seed-service.js';

const SECRET = 'a-test-secret-of-more-than-32-characters!';

function sign(claims: Record<string, unknown>, options: { expires?: boolean } = {}): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (options.expires !== false) jwt.setExpirationTime('1h');
  return jwt.sign(new TextEncoder().encode(SECRET));
}

/** Every surface that takes the service's JWT: hub paths negotiated, REST paths read. */
const HUB_PATHS = ['/hubs/job-progress', '/hubs/progress', '/deploymentHub', '/hubs/notifications'];
const REST_PATHS = ['/api/v1/jobs', '/api/v1/signalr/connection-info', '/api/deployments'];

describe('one token, one user: the same claim rule on every surface', () => {
  const fixture = seedServiceFixture({ config: { jwtSecret: SECRET, demoSpeed: 20 } });

  it('refuses a token whose user claims disagree (401) on REST and on every hub', async () => {
    const split = await sign({ sub: 'bob', UserId: 'alice' });
    for (const path of REST_PATHS) {
      const response = await fixture.service.http(path, { token: split });
      assert.equal(response.status, 401, `REST ${path}`);
      assert.match(response.body.message, /sub.*UserId.*disagree|disagree/, path);
    }
    for (const path of HUB_PATHS) {
      const negotiate = await fetch(`${fixture.service.url}${path}/negotiate?negotiateVersion=1`, { method: 'POST', headers: { authorization: `Bearer ${split}` } });
      assert.equal(negotiate.status, 401, `negotiate ${path}`);
    }
  });

  it('resolves a UserId-only token to the same user over REST and /hubs/progress', async () => {
    const alice = await sign({ UserId: 'alice' });
    const sameAlice = await sign({ sub: 'alice', UserId: 'alice' });
    assert.equal((await fixture.service.http('/api/v1/signalr/connection-info', { token: alice })).body.userId, 'alice');
    assert.equal((await fixture.service.http('/api/v1/signalr/connection-info', { token: sameAlice })).body.userId, 'alice');
    const ingest = await fixture.service.http('/api/v1/videos/ingest', { body: { url: `${SEED_VIDEO_URL}&claims` }, token: alice });
    assert.equal(ingest.status, 202);
    const connection = await connect(`${fixture.service.url}/hubs/progress`, TRANSPORT_CASES[0]!, { accessToken: sameAlice });
    try {
      const active = (await connection.invoke('GetActiveJobs')) as { jobId: string }[];
      assert.ok(active.some((j) => j.jobId === ingest.body.jobId), "alice's job is alice's on /hubs/progress too");
    } finally {
      await connection.stop();
    }
  });

  it('refuses a user token without exp', async () => {
    const forever = await sign({ sub: 'alice' }, { expires: false });
    const response = await fixture.service.http('/api/v1/jobs', { token: forever });
    assert.equal(response.status, 401);
    assert.match(response.body.message, /exp/);
    const negotiate = await fetch(`${fixture.service.url}/hubs/progress/negotiate?negotiateVersion=1`, { method: 'POST', headers: { authorization: `Bearer ${forever}` } });
    assert.equal(negotiate.status, 401);
  });
});

describe('the claim rule is configurable', () => {
  it('takes the user from the configured claims in order, and may accept tokens without exp', async () => {
    const auth = new AuthService(SECRET, { userIdClaims: ['nameid', 'sub'], requireExpiry: false });
    assert.equal((await auth.identify(await sign({ nameid: 'n-user' }, { expires: false }))).userId, 'n-user');
    assert.equal((await auth.identify(await sign({ sub: 's-user' }))).userId, 's-user');
    // Claims outside the rule are not user ids: UserId is ignored here.
    assert.equal((await auth.identify(await sign({ sub: 's-user', UserId: 'other' }))).userId, 's-user');
    await assert.rejects(auth.identify(await sign({ nameid: 'a', sub: 'b' })), Unauthenticated);
    await assert.rejects(auth.identify(await sign({ UserId: 'only-userid' })), /names no user \(nameid or sub\)/);
  });
});
