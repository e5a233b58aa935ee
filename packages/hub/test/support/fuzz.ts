import { Encoder } from '@msgpack/msgpack';
import fc from 'fast-check';
import { isUtf8 } from 'node:buffer';
import { WebSocket } from 'ws';
import { TestHub } from '../../src/conformance/test-hub.js';
import type { MemoryHubLifetimeManager } from '../../src/lifetime/memory-lifetime-manager.js';
import type { HubEndpoint } from '../../src/server/hub-endpoint.js';
import { connect, signalR } from './signalr.js';
import { type TestServer, startHubs } from './server.js';
import { waitFor, within } from './wait.js';

/**
 * Hostile frames for the hub protocol, sent with a raw WebSocket or raw Long
 * Polling requests (no official client can send them) to the conformance hub,
 * while an official client on the same server must keep getting answers. Any
 * crash, unhandled rejection, hang or leaked connection fails the run.
 */

export interface FuzzOptions {
  readonly cases: number;
  readonly seed: number;
  /** Print progress (for `npm run fuzz`). */
  readonly verbose?: boolean;
}

export interface FuzzReport {
  readonly cases: number;
  readonly serverClosedConnections: number;
  readonly healthChecks: number;
}

type Transport = 'WebSockets' | 'LongPolling';
type Protocol = 'json' | 'messagepack';

interface FuzzCase {
  readonly transport: Transport;
  readonly protocol: Protocol;
  /** The handshake record, usually valid. */
  readonly handshake: Uint8Array;
  readonly frames: readonly Uint8Array[];
  /** Send every frame in one WebSocket message / POST instead of one each. */
  readonly batched: boolean;
}

const RS = 0x1e;
const MAX_MESSAGE_SIZE = 32 * 1024;
const METHODS = ['Echo', 'echo', 'Stream', 'EmptyStream', 'InfiniteStream', 'StreamingConcat', 'GetClientResult', 'ThrowException', 'EchoComplexObject', 'SendCustomObject', 'InvokeWithString', 'NoSuchMethod', ''];
const encoder = new Encoder({ ignoreUndefined: true });

// ---- logical messages of every type -------------------------------------------------

const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }) },
);
/** Anything at all where a field of a given type belongs. */
const anything: fc.Arbitrary<unknown> = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));
const id = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('1', '2', '3', 's1') }, { weight: 1, arbitrary: anything });
const target = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: anything });
const headers = fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }) }, { weight: 1, arbitrary: anything });
const args = fc.oneof({ weight: 5, arbitrary: fc.array(value, { maxLength: 3 }) }, { weight: 1, arbitrary: anything });
const streamIds = fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.array(fc.constantFrom('a', 'b', '1'), { maxLength: 2 }) }, { weight: 1, arbitrary: anything });
const sequenceId = fc.oneof(fc.nat(1000), fc.constant(-1), fc.constant(2 ** 53), anything);

/** A message as JSON object and as MessagePack array: same content, both encodings. */
interface Logical {
  readonly json: Record<string, unknown>;
  readonly msgpack: unknown[];
}

const logical: fc.Arbitrary<Logical> = fc.oneof<fc.Arbitrary<Logical>[]>(
  fc.record({ type: fc.constantFrom(1, 4), headers, invocationId: id, target, arguments: args, streamIds }).map((m) => ({
    json: m,
    msgpack: [m.type, m.headers ?? {}, m.invocationId, m.target, m.arguments, ...(m.streamIds === undefined ? [] : [m.streamIds])],
  })),
  fc.record({ headers, invocationId: id, item: value }).map((m) => ({ json: { type: 2, ...m }, msgpack: [2, m.headers ?? {}, m.invocationId, m.item] })),
  fc.record({ headers, invocationId: id, kind: fc.constantFrom(1, 2, 3, 7), result: value, error: fc.oneof(fc.string({ maxLength: 8 }), anything) }).map((m) => ({
    json: { type: 3, headers: m.headers, invocationId: m.invocationId, ...(m.kind === 1 ? { error: m.error } : m.kind === 3 ? { result: m.result } : {}) },
    msgpack: [3, m.headers ?? {}, m.invocationId, m.kind, ...(m.kind === 1 ? [m.error] : m.kind === 3 ? [m.result] : [])],
  })),
  fc.record({ headers, invocationId: id }).map((m) => ({ json: { type: 5, ...m }, msgpack: [5, m.headers ?? {}, m.invocationId] })),
  fc.constant({ json: { type: 6 }, msgpack: [6] }),
  fc.record({ error: fc.oneof(fc.string({ maxLength: 8 }), anything), allowReconnect: anything }).map((m) => ({ json: { type: 7, ...m }, msgpack: [7, m.error, m.allowReconnect] })),
  fc.record({ type: fc.constantFrom(8, 9), sequenceId }).map((m) => ({ json: m, msgpack: [m.type, m.sequenceId] })),
  // Unknown and malformed types.
  fc.record({ type: fc.oneof(fc.integer({ min: -2, max: 40 }), anything), rest: fc.array(anything, { maxLength: 4 }) }).map((m) => ({ json: { type: m.type, arguments: m.rest }, msgpack: [m.type, ...m.rest] })),
);

function jsonRecord(message: Record<string, unknown>): Uint8Array {
  const text = JSON.stringify(message, (_key, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
  return Buffer.from(`${text}\x1e`);
}

function varInt(length: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

function msgpackRecord(body: Uint8Array): Uint8Array {
  return Buffer.concat([varInt(body.length), body]);
}

function encodeMsgpack(message: unknown[]): Uint8Array {
  try {
    return msgpackRecord(encoder.encode(message));
  } catch {
    return msgpackRecord(encoder.encode([6]));
  }
}

// ---- hostile frames no client would send ---------------------------------------------

function deepJson(levels: number): Uint8Array {
  return Buffer.from(`{"type":1,"invocationId":"d","target":"Echo","arguments":[${'['.repeat(levels)}${']'.repeat(levels)}]}\x1e`);
}

function deepMsgpack(levels: number): Uint8Array {
  const head = Buffer.from([0x95, 0x01, 0x80, 0xa1, 0x64, 0xa4, ...Buffer.from('Echo'), 0x91]);
  return msgpackRecord(Buffer.concat([head, Buffer.alloc(levels, 0x91), Buffer.from([0x90])]));
}

/** A MessagePack header declaring gigabytes (str32, bin32, ext32, array32, map32) inside a tiny record. */
const hugeHeader = fc.record({
  head: fc.constantFrom(0xdb, 0xc6, 0xc9, 0xdd, 0xdf, 0xda, 0xdc, 0xde),
  length: fc.constantFrom(0xffffffff, 0x7fffffff, 0x10000000, 0xffff),
  where: fc.constantFrom('argument', 'target', 'top'),
}).map(({ head, length, where }) => {
  const declared = head === 0xda || head === 0xdc || head === 0xde ? Buffer.from([head, 0xff, 0xff]) : Buffer.from([head, length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff]);
  if (where === 'top') return msgpackRecord(Buffer.concat([declared, Buffer.from([0x01, 0x02])]));
  if (where === 'target') return msgpackRecord(Buffer.concat([Buffer.from([0x95, 0x01, 0x80, 0xa1, 0x31]), declared, Buffer.from('Ec')]));
  return msgpackRecord(Buffer.concat([Buffer.from([0x95, 0x01, 0x80, 0xa1, 0x31, 0xa4, ...Buffer.from('Echo'), 0x91]), declared, Buffer.from([0x01])]));
});

/** VarInt length prefixes claiming up to 2 GB, or longer than the spec's 5 bytes. */
const hugeVarInt = fc.constantFrom(
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0x07, 0x91, 0x06]),
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
  Buffer.from([0x80, 0x80, 0x80, 0x80]),
  Buffer.from([0x81, 0x80, 0x02, 0x91]),
  varInt(MAX_MESSAGE_SIZE + 1),
);

const hostileJson: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.constantFrom(60, 62, 63, 64, 65, 200, 3000, 16_000).map(deepJson),
  fc.constantFrom(MAX_MESSAGE_SIZE - 60, MAX_MESSAGE_SIZE + 10).map((n) => Buffer.from(`{"type":1,"target":"Echo","arguments":["${'x'.repeat(n)}"]}\x1e`)),
  fc.constantFrom('{"type":1,"target":"Echo","arguments":["\\ud800"]}\x1e', '{"type":1e999}\x1e', '\x1e\x1e\x1e', '{"__proto__":{"polluted":1},"type":6}\x1e', 'null\x1e', '[]\x1e').map((s) => Buffer.from(s)),
);

const hostileMsgpack: fc.Arbitrary<Uint8Array> = fc.oneof(fc.constantFrom(60, 62, 63, 64, 99, 200, 3000).map(deepMsgpack), hugeHeader, hugeVarInt);

// ---- mutations -----------------------------------------------------------------------

const mutate = (frame: Uint8Array): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(frame) },
    { weight: 1, arbitrary: fc.nat(Math.max(0, frame.length - 1)).map((n) => frame.slice(0, n)) },
    { weight: 2, arbitrary: fc.array(fc.tuple(fc.nat(Math.max(0, frame.length - 1)), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }).map((flips) => {
      const copy = Buffer.from(frame);
      for (const [at, byte] of flips) if (copy.length > 0) copy[at % copy.length] = byte;
      return copy;
    }) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(frame.length), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, bytes]) => Buffer.concat([frame.slice(0, at), bytes, frame.slice(at)])) },
  );

const jsonFrame = fc.oneof({ weight: 8, arbitrary: logical.map((m) => jsonRecord(m.json)).chain(mutate) }, { weight: 2, arbitrary: hostileJson });
const msgpackFrame = fc.oneof({ weight: 8, arbitrary: logical.map((m) => encodeMsgpack(m.msgpack)).chain(mutate) }, { weight: 2, arbitrary: hostileMsgpack });

const handshakeFor = (protocol: Protocol): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant(Buffer.from(`{"protocol":"${protocol}","version":1}\x1e`)) },
    { weight: 1, arbitrary: fc.constantFrom(`{"protocol":"${protocol}","version":99}\x1e`, `{"protocol":"${protocol}"}\x1e`, '{"protocol":"json","version":1', '\x1e', `{"protocol":${'['.repeat(500)}}\x1e`).map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: fc.constant(Buffer.from(`{"protocol":"${protocol}","version":1}\x1e`)).chain(mutate) },
  );

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc
  .record({ transport: fc.constantFrom<Transport>('WebSockets', 'LongPolling'), protocol: fc.constantFrom<Protocol>('json', 'messagepack') })
  .chain(({ transport, protocol }) =>
    fc.record({
      transport: fc.constant(transport),
      protocol: fc.constant(protocol),
      handshake: handshakeFor(protocol),
      frames: fc.array(protocol === 'json' ? jsonFrame : msgpackFrame, { minLength: 1, maxLength: 5 }),
      batched: fc.boolean(),
    }),
  );

// ---- sending -----------------------------------------------------------------------------

/** A fuzzed connection in flight: `finish` ends it and tells whether the server had refused or closed it. */
interface Sent {
  finish(): Promise<boolean>;
}

/** Whether the server's output holds a Close message or a handshake error. */
function reportsClose(output: Buffer, protocol: Protocol): boolean {
  if (output.includes('{"error":')) return true;
  return protocol === 'json' ? output.includes('"type":7') : output.includes(Buffer.from([0x93, 0x07]));
}

async function sendOverWebSocket(url: string, c: FuzzCase): Promise<Sent> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}`);
  const received: Buffer[] = [];
  let closed = false;
  const whenClosed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      closed = true;
      resolve();
    }),
  );
  socket.on('error', () => {});
  socket.on('message', (data: Buffer) => received.push(data));
  await new Promise<void>((resolve) => {
    socket.once('open', () => resolve());
    socket.once('close', () => resolve());
  });
  const binary = c.protocol === 'messagepack';
  // JSON goes in text frames, except bytes that are not UTF-8 (a text frame of those only tests ws).
  const send = (bytes: Uint8Array): void => {
    if (socket.readyState === WebSocket.OPEN) socket.send(bytes, { binary: binary || !isUtf8(bytes) });
  };
  send(c.handshake);
  if (c.batched) send(Buffer.concat(c.frames));
  else for (const frame of c.frames) send(frame);
  return {
    async finish() {
      const refused = closed || reportsClose(Buffer.concat(received), c.protocol);
      if (socket.readyState === WebSocket.OPEN) socket.close();
      await within(whenClosed, 10_000, 'the fuzzed WebSocket to close');
      return refused;
    },
  };
}

async function sendOverLongPolling(url: string, c: FuzzCase): Promise<Sent> {
  const negotiate = await fetch(`${url}/negotiate?negotiateVersion=1`, { method: 'POST' });
  const { connectionToken } = (await negotiate.json()) as { connectionToken: string };
  const at = `${url}?id=${encodeURIComponent(connectionToken)}`;
  await (await fetch(at)).arrayBuffer(); // the first poll establishes the transport
  const bodies = c.batched ? [Buffer.concat([c.handshake, ...c.frames])] : [c.handshake, ...c.frames];
  let refused = false;
  for (const body of bodies) {
    const response = await fetch(at, { method: 'POST', body: Buffer.from(body), headers: { 'Content-Type': 'application/octet-stream' } });
    await response.arrayBuffer();
    if (response.status === 404) {
      refused = true;
      break;
    }
  }
  if (!refused) {
    // One poll reads what the server answered (at once, or after the hub's short long-poll timeout).
    const poll = await fetch(at);
    const output = Buffer.from(await poll.arrayBuffer());
    refused = poll.status === 204 || poll.status === 404 || reportsClose(output, c.protocol);
  }
  return {
    async finish() {
      await (await fetch(at, { method: 'DELETE' })).arrayBuffer();
      return refused;
    },
  };
}

// ---- the run ---------------------------------------------------------------------------------

/** Starts a server with the conformance hub and an official client, then runs `cases` fuzz cases. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const failures: unknown[] = [];
  const onFailure = (error: unknown): void => {
    failures.push(error);
  };
  process.on('unhandledRejection', onFailure);
  process.on('uncaughtException', onFailure);
  let server: TestServer | undefined;
  let healthy: signalR.HubConnection | undefined;
  let endpoint: HubEndpoint | undefined;
  let serverClosed = 0;
  let healthChecks = 0;
  try {
    server = await startHubs((hubs) => {
      endpoint = hubs.mapHub('/fuzz', TestHub, {
        maxReceiveMessageSize: MAX_MESSAGE_SIZE,
        maximumParallelInvocationsPerClient: 2,
        longPollTimeoutMs: 100,
        handshakeTimeoutMs: 2000,
        clientResultTimeoutMs: 2000,
      });
    });
    healthy = await connect(`${server.url}/fuzz`, { name: 'WebSockets/JSON', transport: signalR.HttpTransportType.WebSockets, protocol: 'json', skipNegotiation: false });
    const url = `${server.url}/fuzz`;
    let index = 0;
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (c) => {
        const sent = await within(c.transport === 'WebSockets' ? sendOverWebSocket(url, c) : sendOverLongPolling(url, c), 20_000, `fuzz case ${index}`);
        // The healthy client's answer comes after the server has read the fuzzed frames.
        const answer = await within(healthy!.invoke('Echo', `health ${index}`), 5000, 'the healthy client to get an answer');
        healthChecks++;
        if (answer !== `health ${index}`) throw new Error(`The healthy client got '${String(answer)}'.`);
        if (await within(sent.finish(), 20_000, `the end of fuzz case ${index}`)) serverClosed++;
        if (failures.length > 0) throw failures[0];
        index++;
        if (options.verbose && index % 100 === 0) console.log(`${index} cases, ${serverClosed} closed by the server`);
      }),
      { seed: options.seed, numRuns: options.cases, endOnFailure: true },
    );
    // Every fuzzed connection is gone: only the healthy client remains.
    await waitFor(() => endpoint!.connectionCount === 1 && (endpoint!.lifetimeManager as MemoryHubLifetimeManager).connectionCount === 1, 10_000, 'only the healthy connection to remain');
    if (failures.length > 0) throw failures[0];
    return { cases: options.cases, serverClosedConnections: serverClosed, healthChecks };
  } finally {
    process.off('unhandledRejection', onFailure);
    process.off('uncaughtException', onFailure);
    await healthy?.stop();
    await server?.close();
  }
}
