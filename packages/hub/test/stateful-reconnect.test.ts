import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import type { HubEndpoint } from '../src/server/hub-endpoint.js';
import type { HubOptions } from '../src/server/hub-options.js';
import { type ClientCase, buildConnection, record, signalR } from './support/signalr.js';
import { type TestServer, startHubs } from './support/server.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { delay, waitFor, within } from './support/wait.js';

let endpoint: HubEndpoint;
const reports = new Map<string, number[]>();
const disconnects = new Map<string, string>();

/** A conversation both ways: the client reports numbers, the server ticks numbers back. */
class ConversationHub extends Hub {
  @hubMethod()
  report(value: number) {
    let list = reports.get(this.context.connectionId);
    if (!list) reports.set(this.context.connectionId, (list = []));
    list.push(value);
  }

  /** Ticks 1..count to the caller from a background loop, as a job notifier would. */
  @hubMethod()
  startTicks(count: number, intervalMs: number, padding: number) {
    const target = endpoint.context.clients.client(this.context.connectionId);
    const pad = 'x'.repeat(padding);
    void (async () => {
      for (let i = 1; i <= count; i++) {
        await target.send('Tick', i, pad);
        await delay(intervalMs);
      }
    })();
  }

  override onDisconnected(error: Error | undefined) {
    disconnects.set(this.context.connectionId, error?.message ?? 'clean');
  }
}

const STATEFUL_CASES: ClientCase[] = [
  { name: 'WebSockets/JSON', transport: signalR.HttpTransportType.WebSockets, protocol: 'json', skipNegotiation: false },
  { name: 'WebSockets/MessagePack', transport: signalR.HttpTransportType.WebSockets, protocol: 'messagepack', skipNegotiation: false },
];

describe('stateful reconnect', () => {
  let server: TestServer | undefined;
  let proxy: TcpProxy | undefined;

  async function setUp(options: HubOptions = {}): Promise<string> {
    server = await startHubs((hubs) => {
      endpoint = hubs.mapHub('/conversation', ConversationHub, { keepAliveIntervalMs: 200, ...options });
    });
    const { port } = new URL(server.url);
    proxy = new TcpProxy('127.0.0.1', Number(port));
    return `${await proxy.start()}/conversation`;
  }

  afterEach(async () => {
    await proxy?.stop();
    await server?.close();
    proxy = undefined;
    server = undefined;
  });
  after(() => reports.clear());

  for (const clientCase of STATEFUL_CASES) {
    it(`a dropped TCP connection resumes with nothing lost or repeated either way (${clientCase.name})`, async () => {
      const url = await setUp();
      const connection = buildConnection(url, clientCase, { statefulReconnect: true });
      const ticks = record<number>(connection, 'Tick');
      let closedWith: unknown = 'open';
      connection.onclose((error) => (closedWith = error));
      await connection.start();
      const connectionId = connection.connectionId!;
      const COUNT = 300;

      await connection.invoke('StartTicks', COUNT, 2, 20);
      const sending = (async () => {
        for (let i = 1; i <= COUNT; i++) {
          await connection.send('Report', i);
          await delay(2);
        }
      })();

      await waitFor(() => ticks.length >= 50, 10_000, 'ticks to flow');
      // The network drops; the client's reconnect waits in the proxy while both sides keep sending.
      proxy!.hold();
      proxy!.cut();
      await delay(300);
      proxy!.release();

      await sending;
      await waitFor(() => ticks.length >= COUNT && (reports.get(connectionId)?.length ?? 0) >= COUNT, 15_000, 'every message');
      await delay(200);
      assert.deepEqual(ticks, Array.from({ length: COUNT }, (_, i) => i + 1), 'server → client: each once, in order');
      assert.deepEqual(reports.get(connectionId), Array.from({ length: COUNT }, (_, i) => i + 1), 'client → server: each once, in order');
      assert.equal(closedWith, 'open', 'the application never saw the drop');
      assert.equal(proxy!.connections, 3, 'negotiate, the WebSocket, and one reconnected WebSocket');
      assert.equal(connection.connectionId, connectionId, 'the same logical connection');
      await connection.stop();
    });
  }

  it('ends the connection cleanly when the buffer overflows while the client is away', async () => {
    const url = await setUp({ statefulReconnectBufferSize: 4000 });
    const connection = buildConnection(url, STATEFUL_CASES[0]!, { statefulReconnect: true });
    const closed = new Promise<Error | undefined>((resolve) => connection.onclose(resolve));
    await connection.start();
    const connectionId = connection.connectionId!;
    proxy!.hold();
    proxy!.cut();
    await waitFor(() => endpoint.connectionCount === 1, 1000, 'the connection to be kept for a reconnect');
    // Ticks sent by the server while the client is away: 60 × ~130 bytes > 4000.
    const target = endpoint.context.clients.client(connectionId);
    for (let i = 0; i < 60; i++) await target.send('Tick', i, 'y'.repeat(100));
    await waitFor(() => disconnects.has(connectionId), 5000, 'the server to give up on the connection');
    assert.match(disconnects.get(connectionId)!, /stateful reconnect buffer overflowed/);
    proxy!.release();
    const error = await within(closed, 10_000, 'the client to be told');
    assert.ok(error, 'the client closes with an error');
  });

  it('ends the connection when the client does not come back within the window', async () => {
    const url = await setUp({ statefulReconnectWindowMs: 200 });
    const connection = buildConnection(url, STATEFUL_CASES[1]!, { statefulReconnect: true });
    const closed = new Promise<Error | undefined>((resolve) => connection.onclose(resolve));
    await connection.start();
    const connectionId = connection.connectionId!;
    proxy!.hold();
    proxy!.cut();
    await waitFor(() => disconnects.has(connectionId), 5000, 'the window to pass');
    assert.match(disconnects.get(connectionId)!, /did not reconnect within the stateful reconnect window/);
    proxy!.release();
    assert.ok(await within(closed, 10_000, 'the client to be told'));
  });

  it('without stateful reconnect a drop ends the connection at once', async () => {
    const url = await setUp();
    const connection = buildConnection(url, STATEFUL_CASES[0]!);
    const closed = new Promise<Error | undefined>((resolve) => connection.onclose(resolve));
    await connection.start();
    const connectionId = connection.connectionId!;
    proxy!.cut();
    assert.ok(await within(closed, 5000, 'the client to notice'));
    await waitFor(() => disconnects.has(connectionId), 5000, 'the server to drop the connection');
  });
});
