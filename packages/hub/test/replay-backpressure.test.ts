import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import type { HubEndpoint } from '../src/server/hub-endpoint.js';
import { rawSocket } from './support/raw-socket.js';
import { buildConnection, signalR } from './support/signalr.js';
import { type TestServer, startHubs } from './support/server.js';
import { waitFor, within } from './support/wait.js';

class EchoHub extends Hub {
  @hubMethod()
  echo(value: string) {
    return value;
  }

  @hubMethod()
  large(length: number) {
    return 'L'.repeat(length);
  }
}

const RS = '\x1e';

/** Negotiates stateful reconnect and opens a raw WebSocket that never sends Ack. */
async function silentAcker(url: string) {
  const response = await fetch(`${url}/negotiate?negotiateVersion=1&useStatefulReconnect=true`, { method: 'POST' });
  const { connectionToken, useStatefulReconnect } = (await response.json()) as { connectionToken: string; useStatefulReconnect?: boolean };
  assert.equal(useStatefulReconnect, true);
  const raw = await rawSocket(`${url}?id=${encodeURIComponent(connectionToken)}`);
  raw.socket.send(`{"protocol":"json","version":2}${RS}`);
  await waitFor(() => raw.received.length >= 1, 5000, 'the handshake response');
  // Pings keep it from looking silent: it reads, it talks, it just never acknowledges.
  const pinger = setInterval(() => raw.socket.send(`{"type":6}${RS}`), 50);
  void raw.closedCode.then(() => clearInterval(pinger));
  const messages = (): { type: number; error?: string }[] =>
    raw.received.flatMap((frame) => frame.split(RS).filter((record) => record.length > 0).map((record) => JSON.parse(record) as { type: number; error?: string }));
  return { ...raw, messages, stop: () => clearInterval(pinger) };
}

describe('the stateful reconnect buffer is bounded while the client is connected', () => {
  let server: TestServer;
  let endpoint: HubEndpoint;

  before(async () => {
    server = await startHubs((hubs) => {
      endpoint = hubs.mapHub('/echo', EchoHub, {
        statefulReconnectBufferSize: 10_000,
        maxUnacknowledgedBytes: 60_000,
        clientTimeoutMs: 1000,
        keepAliveIntervalMs: 200,
      });
    });
  });
  after(() => server.close());

  it('a client that never acknowledges gets backpressure, then a Close stating why', async () => {
    const client = await silentAcker(`${server.url}/echo`);
    const payload = 'x'.repeat(1000);
    for (let i = 0; i < 200; i++) client.socket.send(`{"type":1,"invocationId":"${i}","target":"Echo","arguments":["${payload}"]}${RS}`);
    await within(client.closedCode, 10_000, 'the server to close the connection');
    const messages = client.messages();
    const completions = messages.filter((m) => m.type === 3);
    // About 10,000 bytes of answers were sent before the invocations had to wait for an Ack.
    assert.ok(completions.length >= 5 && completions.length <= 12, `${completions.length} completions went out`);
    const close = messages.at(-1)!;
    assert.equal(close.type, 7);
    assert.match(close.error ?? '', /^Connection closed with an error\. The client acknowledged no messages for 1000 ms while \d+ bytes waited for acknowledgement \(the stateful reconnect buffer holds 10000\)\.$/);
    await waitFor(() => endpoint.connectionCount === 0, 5000, 'the connection to be gone');
  });

  it('output the client cannot be made to wait for closes it past maxUnacknowledgedBytes', async () => {
    const client = await silentAcker(`${server.url}/echo`);
    const note = 'y'.repeat(5000);
    for (let i = 0; i < 30; i++) await endpoint.context.clients.all.send('Note', i, note);
    await within(client.closedCode, 5000, 'the server to close the connection');
    const close = client.messages().at(-1)!;
    assert.equal(close.type, 7);
    assert.match(close.error ?? '', /^Connection closed with an error\. More than 60000 bytes of output await acknowledgement\.$/);
    client.stop();
  });

  it('an official client that acknowledges gets every answer through a small buffer', async () => {
    const connection = buildConnection(`${server.url}/echo`, { name: 'WebSockets/JSON', transport: signalR.HttpTransportType.WebSockets, protocol: 'json', skipNegotiation: false }, { statefulReconnect: true });
    await connection.start();
    const payload = 'z'.repeat(1000);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => connection.invoke('Echo', `${i}${payload}`)));
    assert.deepEqual(answers, Array.from({ length: 30 }, (_, i) => `${i}${payload}`));
    // One result larger than every limit still goes out, as ASP.NET Core's MessageBuffer lets it.
    assert.equal(((await connection.invoke('Large', 100_000)) as string).length, 100_000);
    assert.equal(await connection.invoke('Echo', 'after'), 'after');
    await connection.stop();
  });
});
