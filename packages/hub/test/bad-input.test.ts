import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { HubException } from '../src/hub/hub-exception.js';
import { ALL_CASES, NEGOTIATED_CASES, closed, connect, signalR } from './support/signalr.js';
import { rawSocket } from './support/raw-socket.js';
import { type TestServer, startHubs } from './support/server.js';
import { waitFor, within } from './support/wait.js';

class StrictHub extends Hub {
  @hubMethod()
  echo(value: string) {
    return value;
  }
  @hubMethod()
  add(a: number, b: number) {
    return a + b;
  }
  @hubMethod()
  async slow(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  @hubMethod()
  refuse(reason: string): never {
    throw new HubException(`Refused: ${reason}`);
  }
}

/** A protocol the server does not speak, offered through the official client. */
class UnknownProtocol implements signalR.IHubProtocol {
  readonly name = 'smoke-signals';
  readonly version = 1;
  readonly transferFormat = signalR.TransferFormat.Text;
  parseMessages(): signalR.HubMessage[] {
    return [];
  }
  writeMessage(): string {
    return '';
  }
}


describe('bad input gets a clear error and harms no one else', () => {
  let server: TestServer;
  const MAX = 4096;

  before(async () => {
    server = await startHubs((hubs) => {
      hubs.mapHub('/strict', StrictHub, { maxReceiveMessageSize: MAX });
    });
  });
  after(() => server.close());

  for (const clientCase of NEGOTIATED_CASES) {
    it(`unknown methods and wrong argument counts fail the invocation only (${clientCase.name})`, async () => {
      const connection = await connect(`${server.url}/strict`, clientCase);
      try {
        await assert.rejects(connection.invoke('NoSuchMethod'), {
          message: "Failed to invoke 'NoSuchMethod' due to an error on the server. HubException: Method does not exist.",
        });
        // Without detailed errors ASP.NET keeps the binding failure's InvalidDataException to itself.
        await assert.rejects(connection.invoke('Add', 1), { message: "Failed to invoke 'Add' due to an error on the server." });
        await assert.rejects(connection.invoke('Echo', 'a', 'b'), { message: "Failed to invoke 'Echo' due to an error on the server." });
        await assert.rejects(connection.invoke('Refuse', 'no'), {
          message: "An unexpected error occurred invoking 'Refuse' on the server. HubException: Refused: no",
        });
        await assert.rejects(connection.invoke('echo'), { message: "Failed to invoke 'echo' due to an error on the server." });
        assert.equal(await connection.invoke('Add', 2, 3), 5);
        await assert.rejects(collect(connection.stream('Echo', 'x')), {
          message: "The client attempted to invoke the non-streaming 'Echo' method with a streaming invocation.",
        });
      } finally {
        await connection.stop();
      }
    });

    it(`an oversize message closes only its own connection (${clientCase.name})`, async () => {
      const bystander = await connect(`${server.url}/strict`, clientCase);
      const offender = await connect(`${server.url}/strict`, clientCase);
      const offenderClosed = closed(offender);
      void offender.invoke('Echo', 'x'.repeat(MAX * 2)).catch(() => {});
      const error = await within(offenderClosed, 5000, 'the offender to be closed');
      assert.match(String(error), /maximum message size of 4096 bytes was exceeded/);
      assert.equal(await bystander.invoke('Echo', 'unharmed'), 'unharmed');
      await bystander.stop();
    });
  }

  it('a client flooding invocations behind a slow one is disconnected, others are not', async () => {
    const bystander = await connect(`${server.url}/strict`, ALL_CASES[0]!);
    const flooder = await connect(`${server.url}/strict`, ALL_CASES[0]!);
    const flooderClosed = closed(flooder);
    for (let i = 0; i < 5000; i++) void flooder.send('Slow').catch(() => {});
    assert.match(String(await within(flooderClosed, 10_000, 'the flooder to be closed')), /More than 4096 invocations are waiting to run/);
    assert.equal(await bystander.invoke('Echo', 'unharmed'), 'unharmed');
    await bystander.stop();
  });

  it('an unknown protocol gets a handshake error', async () => {
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${server.url}/strict`, { transport: signalR.HttpTransportType.WebSockets })
      .withHubProtocol(new UnknownProtocol())
      .configureLogging(signalR.NullLogger.instance)
      .build();
    await assert.rejects(connection.start(), /Server returned handshake error: The protocol 'smoke-signals' is not supported\./);
  });

  it('MessagePack over Server-Sent Events is refused in the handshake', async () => {
    const [, , , , sse] = ALL_CASES;
    const { MessagePackHubProtocol } = await import('@microsoft/signalr-protocol-msgpack');
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${server.url}/strict`, { transport: sse!.transport })
      .withHubProtocol(new MessagePackHubProtocol())
      .configureLogging(signalR.NullLogger.instance)
      .build();
    // The client itself refuses: SSE cannot carry Binary. Either way no connection is made.
    await assert.rejects(connection.start());
  });

  it('a malformed handshake gets a handshake error and the socket closes', async () => {
    const { socket, received, closedCode } = await rawSocket(`${server.url}/strict`);
    socket.send('{"protocol": json}\x1e');
    await within(closedCode, 5000, 'the socket to close');
    assert.equal(received.length, 1);
    const response = JSON.parse(received[0]!.replace(/\x1e$/, '')) as { error?: string };
    assert.match(response.error ?? '', /Handshake request is malformed/);
  });

  it('a handshake without a version is refused', async () => {
    const { socket, received, closedCode } = await rawSocket(`${server.url}/strict`);
    socket.send('{"protocol":"json"}\x1e');
    await within(closedCode, 5000, 'the socket to close');
    assert.match(received[0] ?? '', /missing the 'version' property/);
  });

  it('garbage after the handshake closes that connection with an error; others keep working', async () => {
    const bystander = await connect(`${server.url}/strict`, ALL_CASES[0]!);
    const { socket, received, closedCode } = await rawSocket(`${server.url}/strict`);
    socket.send('{"protocol":"json","version":1}\x1e');
    await waitFor(() => received.length === 1, 5000, 'the handshake response');
    assert.equal(received[0], '{}\x1e');
    socket.send('this is not json\x1e');
    await within(closedCode, 5000, 'the socket to close');
    const close = JSON.parse(received.at(-1)!.replace(/\x1e$/, '')) as { type: number; error: string };
    assert.equal(close.type, 7);
    assert.match(close.error, /Connection closed with an error\. InvalidDataException: Error reading JSON/);
    // Structurally wrong messages are refused the same way.
    const second = await rawSocket(`${server.url}/strict`);
    second.socket.send('{"protocol":"json","version":1}\x1e{"type":1,"target":42,"arguments":[]}\x1e');
    await within(second.closedCode, 5000, 'the second socket to close');
    assert.match(second.received.at(-1) ?? '', /Missing required property 'target'/);
    assert.equal(await bystander.invoke('Echo', 'still fine'), 'still fine');
    await bystander.stop();
  });

  it('binary garbage on a MessagePack connection closes it with an error', async () => {
    const { socket, received, closedCode } = await rawSocket(`${server.url}/strict`);
    socket.send('{"protocol":"messagepack","version":1}\x1e');
    await waitFor(() => received.length === 1, 5000, 'the handshake response');
    socket.send(Buffer.from([0x03, 0xc1, 0xc1, 0xc1])); // a 3-byte record of never-used msgpack bytes
    await within(closedCode, 5000, 'the socket to close');
  });
});

function collect(stream: signalR.IStreamResult<unknown>): Promise<unknown[]> {
  const items: unknown[] = [];
  return new Promise((resolve, reject) => stream.subscribe({ next: (i) => items.push(i), complete: () => resolve(items), error: reject }));
}
