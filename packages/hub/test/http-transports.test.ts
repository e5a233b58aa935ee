import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { connect, signalR } from './support/signalr.js';
import { type TestServer, startHubs } from './support/server.js';
import { delay, waitFor } from './support/wait.js';

class EchoHub extends Hub {
  @hubMethod()
  echo(value: string) {
    return value;
  }
}

interface Negotiated {
  connectionId: string;
  connectionToken?: string;
  negotiateVersion: number;
  availableTransports: { transport: string; transferFormats: string[] }[];
  useStatefulReconnect?: boolean;
  error?: string;
}

/** TransportProtocols.md, checked at the HTTP level (what no client library lets you provoke). */
describe('transport protocol status codes', () => {
  let server: TestServer;
  let hub: string;

  before(async () => {
    server = await startHubs((hubs) => {
      hubs.mapHub('/echo', EchoHub, { longPollTimeoutMs: 300 });
      hubs.mapHub('/refusing', EchoHub, { onNegotiate: () => ({ error: 'This connection is not allowed.' }) });
    });
    hub = `${server.url}/echo`;
  });
  after(() => server.close());

  async function negotiate(query = 'negotiateVersion=1'): Promise<Negotiated> {
    const response = await fetch(`${hub}/negotiate?${query}`, { method: 'POST' });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    return (await response.json()) as Negotiated;
  }

  it('negotiate version 1: a public connectionId and a secret connectionToken', async () => {
    const body = await negotiate();
    assert.equal(body.negotiateVersion, 1);
    assert.ok(body.connectionToken && body.connectionId && body.connectionToken !== body.connectionId);
    assert.deepEqual(body.availableTransports, [
      { transport: 'WebSockets', transferFormats: ['Text', 'Binary'] },
      { transport: 'ServerSentEvents', transferFormats: ['Text'] },
      { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
    ]);
    assert.equal(body.useStatefulReconnect, undefined);
  });

  it('negotiate version 0 (no query): connectionId only, used as id', async () => {
    const body = await negotiate('');
    assert.equal(body.negotiateVersion, 0);
    assert.equal(body.connectionToken, undefined);
    const poll = await fetch(`${hub}?id=${body.connectionId}`);
    assert.equal(poll.status, 200);
  });

  it('negotiate agrees to stateful reconnect only when asked', async () => {
    assert.equal((await negotiate('negotiateVersion=1&useStatefulReconnect=true')).useStatefulReconnect, true);
  });

  it('negotiate can answer an error, which the official client reports', async () => {
    const response = await fetch(`${server.url}/refusing/negotiate?negotiateVersion=1`, { method: 'POST' });
    assert.deepEqual(await response.json(), { error: 'This connection is not allowed.' });
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${server.url}/refusing`)
      .configureLogging(signalR.NullLogger.instance)
      .build();
    await assert.rejects(connection.start(), /This connection is not allowed\./);
  });

  it('negotiate refuses other methods with 405', async () => {
    const response = await fetch(`${hub}/negotiate`);
    assert.equal(response.status, 405);
  });

  it('400 without id, 404 for an unknown connection', async () => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      assert.equal((await fetch(hub, { method })).status, 400, `${method} without id`);
      assert.equal((await fetch(`${hub}?id=nope`, { method })).status, 404, `${method} unknown id`);
    }
    const sse = await fetch(`${hub}?id=nope`, { headers: { Accept: 'text/event-stream' } });
    assert.equal(sse.status, 404);
  });

  it('long polling: the first poll returns at once, an idle poll times out with 200 and no body', async () => {
    const { connectionToken } = await negotiate();
    const first = await fetch(`${hub}?id=${connectionToken}`);
    assert.equal(first.status, 200);
    assert.equal(await first.text(), '');
    const started = Date.now();
    const idle = await fetch(`${hub}?id=${connectionToken}`);
    assert.equal(idle.status, 200);
    assert.equal(idle.headers.get('content-length'), '0');
    assert.equal(await idle.text(), '');
    assert.ok(Date.now() - started >= 250, 'the idle poll waited for the poll timeout');
  });

  it('long polling: a newer poll supersedes the open one with 204', async () => {
    const { connectionToken } = await negotiate();
    await (await fetch(`${hub}?id=${connectionToken}`)).text();
    const older = fetch(`${hub}?id=${connectionToken}`);
    await delay(50);
    const newer = fetch(`${hub}?id=${connectionToken}`);
    assert.equal((await older).status, 204);
    assert.equal((await newer).status, 200);
  });

  it('long polling: DELETE answers 202 and ends the open poll with 204', async () => {
    const { connectionToken } = await negotiate();
    await (await fetch(`${hub}?id=${connectionToken}`)).text();
    const poll = fetch(`${hub}?id=${connectionToken}`);
    await delay(50);
    const deleted = await fetch(`${hub}?id=${connectionToken}`, { method: 'DELETE' });
    assert.equal(deleted.status, 202);
    assert.equal((await poll).status, 204);
    assert.equal((await fetch(`${hub}?id=${connectionToken}`)).status, 404);
  });

  it('a concurrent send POST gets 409 and the connection stays open', async () => {
    const { connectionToken } = await negotiate();
    await (await fetch(`${hub}?id=${connectionToken}`)).text();
    const url = new URL(`${hub}?id=${connectionToken}`);
    // Hold the first POST open by sending its body slowly.
    const first = request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } });
    const firstDone = new Promise<number>((resolve) => first.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); }));
    first.write('{"protocol":"json",');
    await delay(100);
    const second = await fetch(`${hub}?id=${connectionToken}`, { method: 'POST', body: '{"type":6}\x1e' });
    assert.equal(second.status, 409);
    first.end('"version":1}\x1e');
    assert.equal(await firstDone, 200);
    const poll = await fetch(`${hub}?id=${connectionToken}`);
    assert.equal(await poll.text(), '{}\x1e', 'the handshake completed after the 409');
  });

  it('a second WebSocket for the same connection gets 409', async () => {
    const { connectionToken } = await negotiate();
    const wsUrl = `${hub.replace(/^http/, 'ws')}?id=${connectionToken}`;
    const first = new WebSocket(wsUrl);
    await new Promise((resolve, reject) => { first.once('open', resolve); first.once('error', reject); });
    const status = await new Promise<number>((resolve) => {
      const second = new WebSocket(wsUrl);
      second.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      second.on('open', () => resolve(101));
      second.on('error', () => {});
    });
    assert.equal(status, 409);
    first.close();
  });

  it('a second event stream for the same connection gets 409; switching transports gets 400', async () => {
    const { connectionToken } = await negotiate();
    const controller = new AbortController();
    const stream = await fetch(`${hub}?id=${connectionToken}`, { headers: { Accept: 'text/event-stream' }, signal: controller.signal });
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
    const again = await fetch(`${hub}?id=${connectionToken}`, { headers: { Accept: 'text/event-stream' } });
    assert.equal(again.status, 409);
    const poll = await fetch(`${hub}?id=${connectionToken}`);
    assert.equal(poll.status, 400);
    controller.abort();
  });

  it('server-sent events refuse a MessagePack handshake (Text only)', async () => {
    const { connectionToken } = await negotiate();
    const controller = new AbortController();
    const stream = await fetch(`${hub}?id=${connectionToken}`, { headers: { Accept: 'text/event-stream' }, signal: controller.signal });
    const reader = stream.body!.getReader();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString();
      }
    };
    await fetch(`${hub}?id=${connectionToken}`, { method: 'POST', body: '{"protocol":"messagepack","version":1}\x1e' });
    await readUntil(/error/);
    assert.match(text, /data: \{"error":"Cannot use the 'messagepack' protocol on the current transport\. The transport does not support 'Binary' transfer format\."\}/);
    controller.abort();
  });

  it('a negotiated connection that never connects is dropped after the disconnect timeout', async () => {
    const quick = await startHubs((hubs) => hubs.mapHub('/q', EchoHub, { disconnectTimeoutMs: 100 }));
    try {
      const response = await fetch(`${quick.url}/q/negotiate?negotiateVersion=1`, { method: 'POST' });
      const { connectionToken } = (await response.json()) as Negotiated;
      const endpoint = quick.hubs.endpoint('/q')!;
      assert.equal(endpoint.connectionCount, 1);
      await waitFor(() => endpoint.connectionCount === 0, 3000, 'the idle connection to be dropped');
      assert.equal((await fetch(`${quick.url}/q?id=${connectionToken}`)).status, 404);
    } finally {
      await quick.close();
    }
  });

  it('a long-polling client that stops polling is dropped', async () => {
    const quick = await startHubs((hubs) => hubs.mapHub('/q', EchoHub, { disconnectTimeoutMs: 150 }));
    try {
      const connection = await connect(`${quick.url}/q`, {
        name: 'LongPolling/JSON',
        transport: signalR.HttpTransportType.LongPolling,
        protocol: 'json',
        skipNegotiation: false,
      });
      const endpoint = quick.hubs.endpoint('/q')!;
      assert.equal(endpoint.connectionCount, 1);
      // Stop the client's polling loop without a DELETE, as a vanished browser would.
      const transport = (connection as unknown as { connection: { transport: { _running: boolean; _pollAbort: AbortController } } }).connection.transport;
      transport._running = false;
      transport._pollAbort.abort();
      await waitFor(() => endpoint.connectionCount === 0, 3000, 'the abandoned connection to be dropped');
    } finally {
      await quick.close();
    }
  });
});
