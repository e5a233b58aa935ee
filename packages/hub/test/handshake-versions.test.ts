import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decode, encode } from '@msgpack/msgpack';
import { WebSocket } from 'ws';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { type TestServer, startHubs } from './support/server.js';

class VersionHub extends Hub {
  @hubMethod({})
  echo(value: string): string {
    return value;
  }
}

type Protocol = 'json' | 'messagepack';
type Transport = 'WebSockets' | 'ServerSentEvents' | 'LongPolling';

const RS = '\x1e';

/** An Echo invocation in the protocol's own framing, written by hand (what an old or third-party client sends). */
function invocation(protocol: Protocol): Buffer {
  if (protocol === 'json') return Buffer.from(`{"type":1,"invocationId":"1","target":"Echo","arguments":["hi"]}${RS}`);
  const body = encode([1, {}, '1', 'Echo', ['hi']]);
  return Buffer.concat([Buffer.from([body.length]), body]);
}

/** The result of the Completion in `bytes`, after the handshake response. */
function completionResult(protocol: Protocol, bytes: Buffer): unknown {
  if (protocol === 'json') {
    const records = bytes.toString().split(RS).filter(Boolean).map((r) => JSON.parse(r) as { type: number; result?: unknown });
    return records.find((r) => r.type === 3)?.result;
  }
  const length = bytes[0]!; // small records: a one-byte length prefix
  const message = decode(bytes.subarray(1, 1 + length)) as unknown[];
  assert.equal(message[0], 3);
  return message[4];
}

/**
 * One connection driven with raw frames: handshake, then (when accepted) an Echo.
 * Returns the handshake response and the echoed value.
 */
async function exchange(url: string, transport: Transport, protocol: Protocol, version: number): Promise<{ handshake: string; echoed?: unknown }> {
  const handshake = Buffer.from(`{"protocol":"${protocol}","version":${version}}${RS}`);
  if (transport === 'WebSockets') {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}`);
    const frames: Buffer[] = [];
    const next = (): Promise<Buffer> =>
      new Promise((resolve, reject) => {
        if (frames.length > 0) return resolve(frames.shift()!);
        socket.once('message', () => resolve(frames.shift()!));
        socket.once('close', () => reject(new Error('closed')));
      });
    socket.on('message', (data: Buffer) => frames.push(data));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    try {
      socket.send(handshake);
      const response = (await next()).toString();
      if (response !== `{}${RS}`) return { handshake: response };
      socket.send(invocation(protocol), { binary: protocol === 'messagepack' });
      return { handshake: response, echoed: completionResult(protocol, await next()) };
    } finally {
      socket.close();
    }
  }
  const negotiated = (await (await fetch(`${url}/negotiate?negotiateVersion=1`, { method: 'POST' })).json()) as { connectionToken: string };
  const connectionUrl = `${url}?id=${negotiated.connectionToken}`;
  const post = async (body: Buffer): Promise<void> => {
    assert.equal((await fetch(connectionUrl, { method: 'POST', body: new Uint8Array(body) })).status, 200);
  };
  if (transport === 'LongPolling') {
    await (await fetch(connectionUrl)).arrayBuffer(); // the first poll only opens the transport
    await post(handshake);
    const response = Buffer.from(await (await fetch(connectionUrl)).arrayBuffer()).toString();
    if (response !== `{}${RS}`) return { handshake: response };
    await post(invocation(protocol));
    return { handshake: response, echoed: completionResult(protocol, Buffer.from(await (await fetch(connectionUrl)).arrayBuffer())) };
  }
  const controller = new AbortController();
  const stream = await fetch(connectionUrl, { headers: { Accept: 'text/event-stream' }, signal: controller.signal });
  const reader = stream.body!.getReader();
  let text = '';
  const nextEvent = async (): Promise<string> => {
    for (;;) {
      const match = /data: ([^\r\n]*)\r\n\r\n/.exec(text);
      if (match) {
        text = text.slice(match.index + match[0].length);
        return match[1]!;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      text += Buffer.from(value).toString();
    }
  };
  try {
    await post(handshake);
    const response = await nextEvent();
    if (response !== `{}${RS}`) return { handshake: response };
    await post(invocation(protocol));
    return { handshake: response, echoed: completionResult(protocol, Buffer.from(await nextEvent())) };
  } finally {
    controller.abort();
  }
}

/** ASP.NET Core accepts every version up to the protocol's own (2 for JSON and MessagePack since .NET 8). */
describe('handshake versions, as raw frames', () => {
  let server: TestServer;

  before(async () => {
    server = await startHubs((hubs) => hubs.mapHub('/versions', VersionHub));
  });
  after(() => server.close());

  const cases: [Transport, Protocol][] = [
    ['WebSockets', 'json'],
    ['WebSockets', 'messagepack'],
    ['ServerSentEvents', 'json'],
    ['LongPolling', 'json'],
    ['LongPolling', 'messagepack'],
  ];
  for (const [transport, protocol] of cases) {
    it(`${transport}/${protocol}: versions 0, 1 and 2 are accepted and work; 3 is refused`, async () => {
      for (const version of [0, 1, 2]) {
        const result = await exchange(`${server.url}/versions`, transport, protocol, version);
        assert.equal(result.handshake, `{}${RS}`, `version ${version}`);
        assert.equal(result.echoed, 'hi', `version ${version}`);
      }
      const refused = await exchange(`${server.url}/versions`, transport, protocol, 3);
      assert.equal(refused.handshake.replace(RS, ''), JSON.stringify({ error: `The server does not support version 3 of the '${protocol}' protocol.` }));
    });
  }
});
