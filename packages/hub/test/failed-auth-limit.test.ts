import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import type { HubUser } from '../src/hub/user.js';
import type { HubEndpoint } from '../src/server/hub-endpoint.js';
import { ALL_CASES, connect } from './support/signalr.js';
import { type TestServer, startHubs } from './support/server.js';

class GuardedHub extends Hub {
  @hubMethod()
  whoAmI() {
    return this.context.userIdentifier;
  }
}

const authenticate = (_request: unknown, token: string | undefined): HubUser | null => (token === 'open-sesame' ? { id: 'ali', claims: {} } : null);

/** Sends a raw upgrade request (skipNegotiation) and resolves with the HTTP status line and headers. */
function upgrade(url: string, token: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request({
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}?access_token=${token}`,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, headers: res.headers });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('failed authentications are rate-limited per client IP', () => {
  let server: TestServer;
  let strict: HubEndpoint;
  let defaults: HubEndpoint;

  before(async () => {
    server = await startHubs((hubs) => {
      strict = hubs.mapHub('/guarded', GuardedHub, { authenticate, maxFailedAuthenticationsPerIp: 3, failedAuthenticationWindowMs: 60_000 });
      defaults = hubs.mapHub('/defaults', GuardedHub, { authenticate });
    });
  });
  after(() => server.close());

  const negotiate = (path: string, token: string) =>
    fetch(`${server.url}${path}/negotiate?negotiateVersion=1`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });

  it('past the limit, negotiate and WebSocket connects answer 429 with Retry-After, even for a good token', async () => {
    const connection = await connect(`${server.url}/guarded`, ALL_CASES[0]!, { accessToken: 'open-sesame' });
    for (let i = 0; i < 3; i++) assert.equal((await negotiate('/guarded', `guess-${i}`)).status, 401);
    const refused = await negotiate('/guarded', 'guess-3');
    assert.equal(refused.status, 429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
    assert.match(await refused.text(), /Too many failed authentication attempts/);
    // A correct guess is no longer evaluated: success and failure look the same to a guesser.
    assert.equal((await negotiate('/guarded', 'open-sesame')).status, 429);
    const ws = await upgrade(`${server.url}/guarded`, 'guess-4');
    assert.equal(ws.status, 429);
    assert.ok(Number(ws.headers['retry-after']) >= 1);
    // A connection made before keeps working; other hubs keep their own count.
    assert.equal(await connection.invoke('WhoAmI'), 'ali');
    assert.equal((await negotiate('/defaults', 'open-sesame')).status, 200);
    await connection.stop();
  });

  it('the default allows 20 failures a minute per IP', async () => {
    assert.equal(defaults.options.maxFailedAuthenticationsPerIp, 20);
    assert.equal(defaults.options.failedAuthenticationWindowMs, 60_000);
    for (let i = 0; i < 20; i++) assert.equal((await negotiate('/defaults', `guess-${i}`)).status, 401);
    assert.equal((await negotiate('/defaults', 'guess-20')).status, 429);
    assert.ok(strict.options.maxFailedAuthenticationsPerIp === 3);
  });
});
