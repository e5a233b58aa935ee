import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { TestHub } from '../src/conformance/test-hub.js';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { type TestServer, startHubs } from './support/server.js';
import { TRANSPORT_CASES, buildConnection, closed, connect, signalR } from './support/signalr.js';
import { within } from './support/wait.js';

class KickHub extends Hub {
  @hubMethod({})
  kick(): void {
    this.context.abort();
  }
}

/**
 * What HttpConnectionDispatcher (ASP.NET Core) answers, checked where a client
 * could tell: negotiate's redirect, headers and versions, each failure's status
 * and body, and Close messages with and without allowReconnect.
 */
describe('negotiate, failures and Close messages as ASP.NET answers them', () => {
  let server: TestServer;
  let base = '';

  before(async () => {
    server = await startHubs((hubs) => {
      hubs.mapHub('/testhub', TestHub, {
        onNegotiate: () => ({ headers: { 'Set-Cookie': 'affinity=node-a; Path=/; HttpOnly' } }),
      });
      hubs.mapHub('/sse-only', TestHub, { transports: ['ServerSentEvents'] });
      hubs.mapHub('/guarded', TestHub, {
        authenticate: (_request, token) => (token === 'from-redirect' ? { id: 'redirected', claims: {} } : null),
      });
      hubs.mapHub('/balancer', TestHub, { onNegotiate: () => ({ redirect: `${base}/Guarded`, accessToken: 'from-redirect' }) });
      hubs.mapHub('/kick', KickHub);
    });
    base = server.url;
  });
  after(() => server.close());

  for (const clientCase of TRANSPORT_CASES) {
    it(`a cookie set during negotiate comes back on the transport (${clientCase.name})`, async () => {
      const connection = await connect(`${server.url}/testhub`, clientCase);
      try {
        assert.equal(await connection.invoke('GetCookie', 'affinity'), 'node-a');
      } finally {
        await connection.stop();
      }
    });
  }

  it('a negotiate redirect with an access token: the client uses the token at the new URL', async () => {
    const connection = new signalR.HubConnectionBuilder().withUrl(`${server.url}/balancer`).configureLogging(signalR.NullLogger.instance).build();
    await connection.start();
    try {
      assert.equal(await connection.invoke('Echo', 'through'), 'through');
    } finally {
      await connection.stop();
    }
    assert.equal((await fetch(`${server.url}/guarded/negotiate`, { method: 'POST' })).status, 401);
  });

  it('negotiate versions: clamped to 1, query names in any case, a non-integer refused', async () => {
    const ask = async (query: string) => (await (await fetch(`${server.url}/testhub/negotiate?${query}`, { method: 'POST' })).json()) as Record<string, unknown>;
    assert.equal((await ask('negotiateVersion=7')).negotiateVersion, 1);
    const upper = await ask('NEGOTIATEVERSION=1&UseStatefulReconnect=True');
    assert.equal(upper.negotiateVersion, 1);
    assert.equal(upper.useStatefulReconnect, true);
    assert.deepEqual(await ask('negotiateVersion=one'), { error: 'The client requested a non-integer protocol version.' });
    // A connection token works as `ID` too.
    const token = (await ask('negotiateVersion=1')).connectionToken as string;
    assert.equal((await fetch(`${server.url}/testhub?ID=${token}`)).status, 200);
  });

  it('a transport the endpoint does not offer: 404 with ASP.NET\'s text', async () => {
    const status = await new Promise<{ code: number; body: string }>((resolve) => {
      const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/sse-only`);
      socket.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      socket.on('error', () => {});
    });
    assert.deepEqual(status, { code: 404, body: 'WebSockets transport not supported by this end point type' });
    const { connectionToken } = (await (await fetch(`${server.url}/sse-only/negotiate?negotiateVersion=1`, { method: 'POST' })).json()) as { connectionToken: string };
    const poll = await fetch(`${server.url}/sse-only?id=${connectionToken}`);
    assert.equal(poll.status, 404);
    assert.equal(await poll.text(), 'LongPolling transport not supported by this end point type');
  });

  it('status codes and bodies of long polling and its failures', async () => {
    const { connectionToken } = (await (await fetch(`${server.url}/testhub/negotiate?negotiateVersion=1`, { method: 'POST' })).json()) as { connectionToken: string };
    const url = `${server.url}/testhub?id=${connectionToken}`;
    const first = await fetch(url);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('cache-control'), 'no-cache, no-store');
    assert.equal(first.headers.get('pragma'), 'no-cache');
    assert.equal(first.headers.get('expires'), 'Thu, 01 Jan 1970 00:00:00 GMT');
    const sse = await fetch(url, { headers: { Accept: 'text/event-stream' } });
    assert.equal(sse.status, 400);
    assert.equal(await sse.text(), 'Cannot change transports mid-connection');
    const missing = await fetch(`${server.url}/testhub`);
    assert.deepEqual([missing.status, await missing.text()], [400, 'Connection ID required']);
    const unknown = await fetch(`${server.url}/testhub?id=nope`);
    assert.deepEqual([unknown.status, await unknown.text()], [404, 'No Connection with that ID']);
    const deleted = await fetch(url, { method: 'DELETE' });
    assert.deepEqual([deleted.status, await deleted.text()], [202, '']);
  });

  it('Close without allowReconnect ends a reconnecting client; with it (shutdown) the client retries', async () => {
    const clientCase = TRANSPORT_CASES[0]!;
    const connection = buildConnection(`${server.url}/kick`, clientCase, { reconnect: true });
    let reconnecting = false;
    connection.onreconnecting(() => {
      reconnecting = true;
    });
    await connection.start();
    const ended = closed(connection);
    await connection.invoke('Kick').catch(() => {});
    assert.equal(await within(ended, 5000, 'the kicked client to close'), undefined);
    assert.equal(reconnecting, false);
    assert.equal(connection.state, signalR.HubConnectionState.Disconnected);
    // The shutdown half (allowReconnect: true) is covered by shutdown-handshake.test.ts.
  });
});
