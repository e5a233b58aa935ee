import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';
import { type ConformanceServer, startConformanceServer } from '../src/conformance/conformance-server.js';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { ALL_CASES, TRANSPORT_CASES, connect, signalR } from './support/signalr.js';
import { type TestServer, memoryLogger, startHubs } from './support/server.js';

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('authentication: 401 for missing, forged, expired and unsigned tokens', () => {
  let server: ConformanceServer;
  let valid: string;
  let forged: string;
  let expired: string;
  let unsigned: string;

  before(async () => {
    server = await startConformanceServer({ hubOptions: { logger: memoryLogger() } });
    valid = await (await fetch(`${server.url}/generateJwtToken`)).text();
    forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('mallory').setExpirationTime('1h').sign(new TextEncoder().encode('not-the-secret'));
    expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('late')
      .setIssuedAt(now() - 7200)
      .setExpirationTime(now() - 3600)
      .sign(new TextEncoder().encode(server.jwtSecret));
    unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'mallory', exp: now() + 3600 })}.`;
  });
  after(() => server.close());

  it('negotiate answers 401 for each bad token, 200 for the real one', async () => {
    const negotiate = (token?: string) =>
      fetch(`${server.url}/authorizedhub/negotiate?negotiateVersion=1`, {
        method: 'POST',
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      });
    for (const [label, token] of [['missing', undefined], ['forged', forged], ['expired', expired], ['alg none', unsigned]] as const) {
      const response = await negotiate(token);
      assert.equal(response.status, 401, label);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer');
    }
    assert.equal((await negotiate(valid)).status, 200);
    // The query-string form browsers use for WebSockets and EventSource.
    const viaQuery = await fetch(`${server.url}/authorizedhub/negotiate?negotiateVersion=1&access_token=${valid}`, { method: 'POST' });
    assert.equal(viaQuery.status, 200);
  });

  it('a WebSocket without negotiate is refused with 401 too', async () => {
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/authorizedhub?access_token=${forged}`);
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => {});
    });
    assert.equal(status, 401);
  });

  for (const clientCase of ALL_CASES) {
    it(`the official client connects with a valid token and is refused without (${clientCase.name})`, async () => {
      const connection = await connect(`${server.url}/authorizedhub`, clientCase, { accessToken: valid });
      assert.equal(await connection.invoke('Echo', 'authorized'), 'authorized');
      await connection.stop();
      // Without negotiate the client only sees the WebSocket upgrade fail (the raw test above checks it is a 401).
      const refusal = clientCase.skipNegotiation ? /WebSocket failed to connect/ : /401|Unauthorized/;
      await assert.rejects(connect(`${server.url}/authorizedhub`, clientCase, { accessToken: expired }), refusal);
      await assert.rejects(connect(`${server.url}/authorizedhub`, clientCase), refusal);
    });
  }

  it('a later request of the connection by another user is forbidden', async () => {
    const other = await server.issueToken('someone-else');
    const negotiated = await fetch(`${server.url}/authorizedhub/negotiate?negotiateVersion=1`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${valid}` },
    });
    const { connectionToken } = (await negotiated.json()) as { connectionToken: string };
    const poll = await fetch(`${server.url}/authorizedhub?id=${connectionToken}`, { headers: { Authorization: `Bearer ${other}` } });
    assert.equal(poll.status, 403);
  });
});

class PlainHub extends Hub {
  @hubMethod()
  echo(value: string) {
    return value;
  }
}

describe('CORS', () => {
  let server: TestServer;
  const allowed = 'http://app.example.com';

  before(async () => {
    server = await startHubs((hubs) => hubs.mapHub('/cors', PlainHub, { cors: { origins: [allowed] } }));
  });
  after(() => server.close());

  const preflight = (origin: string) =>
    fetch(`${server.url}/cors/negotiate?negotiateVersion=1`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, x-requested-with' },
    });

  it('allows the preflight of a listed origin, with credentials', async () => {
    const response = await preflight(allowed);
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), allowed);
    assert.equal(response.headers.get('access-control-allow-credentials'), 'true');
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.equal(response.headers.get('access-control-allow-headers'), 'authorization, x-requested-with');
  });

  it('refuses the preflight of another origin', async () => {
    const response = await preflight('http://evil.example.com');
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
  });

  it('marks actual requests of a listed origin and refuses others', async () => {
    const ok = await fetch(`${server.url}/cors/negotiate?negotiateVersion=1`, { method: 'POST', headers: { Origin: allowed } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), allowed);
    const refused = await fetch(`${server.url}/cors/negotiate?negotiateVersion=1`, { method: 'POST', headers: { Origin: 'http://evil.example.com' } });
    assert.equal(refused.status, 403);
  });

  it('lets the official client in when it sends a listed Origin', async () => {
    for (const clientCase of TRANSPORT_CASES) {
      const connection = await connect(`${server.url}/cors`, clientCase, { headers: { Origin: allowed } });
      assert.equal(await connection.invoke('Echo', 'cross-origin'), 'cross-origin');
      await connection.stop();
    }
    await assert.rejects(connect(`${server.url}/cors`, TRANSPORT_CASES[0]!, { headers: { Origin: 'http://evil.example.com' } }));
  });
});

void signalR;
