import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { JsonHubProtocol } from '../src/protocol/json-protocol.js';
import type { HubMessage } from '../src/protocol/messages.js';
import { MessagePackHubProtocol } from '../src/protocol/msgpack-protocol.js';
import { NEGOTIATED_CASES, closed, connect } from './support/signalr.js';
import { rawSocket } from './support/raw-socket.js';
import { type TestServer, memoryLogger, startHubs } from './support/server.js';
import { waitFor, within } from './support/wait.js';

class DeepHub extends Hub {
  @hubMethod()
  echo(value: unknown) {
    return value;
  }

  /** A result no protocol can encode: it refers to itself. */
  @hubMethod()
  cyclic() {
    const value: Record<string, unknown> = { name: 'loop' };
    value.self = value;
    return value;
  }

  /** A stream whose second item cannot be encoded. */
  @hubMethod()
  async *cyclicStream() {
    yield 'fine';
    const value: Record<string, unknown> = {};
    value.self = value;
    yield value;
  }
}

function nested(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe('the nesting depth of incoming messages is limited', () => {
  let server: TestServer;
  const logger = memoryLogger();

  before(async () => {
    server = await startHubs((hubs) => {
      hubs.mapHub('/deep', DeepHub, { maxReceiveMessageSize: 1024 * 1024 });
      hubs.mapHub('/shallow', DeepHub, { maxMessageDepth: 8 });
    }, { logger });
  });
  after(() => server.close());

  for (const clientCase of NEGOTIATED_CASES) {
    it(`a message nested deeper than maxMessageDepth closes only its connection (${clientCase.name})`, async () => {
      const bystander = await connect(`${server.url}/shallow`, clientCase);
      const offender = await connect(`${server.url}/shallow`, clientCase);
      // The message is one level, its arguments another: 6 more fit in a limit of 8.
      assert.deepEqual(await offender.invoke('Echo', nested(6)), nested(6));
      const offenderClosed = closed(offender);
      void offender.invoke('Echo', nested(7)).catch(() => {});
      const error = await within(offenderClosed, 5000, 'the offender to be closed');
      assert.match(String(error), /Connection closed with an error\. InvalidDataException: The message is nested deeper than the maximum of 8 levels\./);
      assert.equal(await bystander.invoke('Echo', 'unharmed'), 'unharmed');
      await bystander.stop();
    });

    it(`a result that cannot be encoded fails the invocation, not the server (${clientCase.name})`, async () => {
      const connection = await connect(`${server.url}/deep`, clientCase);
      await assert.rejects(connection.invoke('Cyclic'), { message: "An unexpected error occurred invoking 'Cyclic' on the server." });
      const items: unknown[] = [];
      const failed = new Promise<Error>((resolve) =>
        connection.stream('CyclicStream').subscribe({ next: (item) => items.push(item), complete: () => resolve(new Error('completed')), error: resolve }),
      );
      assert.match(String(await failed), /An error occurred on the server while streaming results\./);
      assert.deepEqual(items, ['fine']);
      assert.equal(await connection.invoke('Echo', 'alive'), 'alive');
      await connection.stop();
    });
  }

  it('the default limit is 64 levels, as ASP.NET Core reads JSON', async () => {
    const connection = await connect(`${server.url}/deep`, NEGOTIATED_CASES[0]!);
    assert.deepEqual(await connection.invoke('Echo', nested(62)), nested(62));
    const connectionClosed = closed(connection);
    void connection.invoke('Echo', nested(63)).catch(() => {});
    assert.match(String(await within(connectionClosed, 5000, 'the close')), /nested deeper than the maximum of 64 levels/);
  });

  it('JSON nested 3,000 levels and MessagePack nested 99 levels close the sender with an error', async () => {
    const bystander = await connect(`${server.url}/deep`, NEGOTIATED_CASES[0]!);
    const json = await rawSocket(`${server.url}/deep`);
    json.socket.send('{"protocol":"json","version":1}\x1e');
    await waitFor(() => json.received.length === 1, 5000, 'the JSON handshake');
    json.socket.send(`{"type":1,"invocationId":"1","target":"Echo","arguments":[${'['.repeat(3000)}${']'.repeat(3000)}]}\x1e`);
    await within(json.closedCode, 5000, 'the JSON socket to close');
    assert.match(json.received.at(-1)!, /"type":7,"error":"Connection closed with an error\. InvalidDataException: The message is nested deeper than the maximum of 64 levels\."/);

    const msgpack = await rawSocket(`${server.url}/deep`);
    msgpack.socket.send('{"protocol":"messagepack","version":1}\x1e');
    await waitFor(() => msgpack.received.length === 1, 5000, 'the MessagePack handshake');
    // [1, {}, "1", "Echo", [[[...99 levels...]]]]
    const body = Buffer.concat([Buffer.from([0x95, 0x01, 0x80, 0xa1, 0x31, 0xa4, ...Buffer.from('Echo')]), Buffer.alloc(99, 0x91), Buffer.from([0x90])]);
    msgpack.socket.send(Buffer.concat([Buffer.from([body.length]), body]));
    await within(msgpack.closedCode, 5000, 'the MessagePack socket to close');
    assert.match(msgpack.received.at(-1)!, /nested deeper than the maximum of 64 levels/);
    assert.equal(await bystander.invoke('Echo', 'unharmed'), 'unharmed');
    await bystander.stop();
  });
});


describe('the depth checks', () => {
  it('brackets inside JSON strings (escaped quotes included) do not count', () => {
    const inString = `{"type":1,"target":"Echo","arguments":["${'[{'.repeat(100)}\\"${'[{'.repeat(100)}"]}\x1e`;
    const out: HubMessage[] = [];
    new JsonHubProtocol().parseMessages(Buffer.from(inString), 0, 1 << 20, out, 4);
    assert.equal(out.length, 1);
    assert.throws(() => new JsonHubProtocol().parseMessages(Buffer.from(`{"type":1,"target":"E","arguments":[[[{}]]]}\x1e`), 0, 1024, [], 4), /maximum of 4 levels/);
  });

  it('MessagePack headers claiming more than the record holds are refused before decoding', () => {
    const protocol = new MessagePackHubProtocol();
    const frame = (body: number[]): Buffer => Buffer.from([body.length, ...body]);
    // [1, {}, null, "E", <str32 of 4 GB>]
    assert.throws(() => protocol.parseMessages(frame([0x95, 0x01, 0x80, 0xc0, 0xa1, 0x45, 0xdb, 0xff, 0xff, 0xff, 0xff]), 0, 1024, []), /declares 4294967295 bytes/);
    // an array32 of 4 billion elements
    assert.throws(() => protocol.parseMessages(frame([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]), 0, 1024, []), /declares 4294967295 elements/);
    // a map32 of 2 billion entries as the arguments
    assert.throws(() => protocol.parseMessages(frame([0x95, 0x01, 0x80, 0xc0, 0xa1, 0x45, 0xdf, 0x7f, 0xff, 0xff, 0xff]), 0, 1024, []), /declares 4294967294 elements/);
    const out: HubMessage[] = [];
    protocol.parseMessages(frame([0x95, 0x01, 0x80, 0xc0, 0xa1, 0x45, 0x92, 0xc4, 0x02, 0x01, 0x02, 0xcb, 0, 0, 0, 0, 0, 0, 0, 0]), 0, 1024, out);
    assert.equal(out.length, 1);
  });
});
