import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { type ConformanceServer, startConformanceServer } from '../src/conformance/conformance-server.js';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { HttpConnection } from './support/http-connection.js';
import { type TestServer, startHubs } from './support/server.js';
import { connect, signalR, transportName } from './support/signalr.js';
import { waitFor, within } from './support/wait.js';

const { WebSockets, ServerSentEvents, LongPolling } = signalR.HttpTransportType;
const { Text, Binary } = signalR.TransferFormat;

interface RawCase {
  readonly name: string;
  readonly transport: signalR.HttpTransportType;
  readonly format: signalR.TransferFormat;
  readonly skipNegotiation?: boolean;
}

/** Every transport with every transfer format it carries (Server-Sent Events: text only). */
const RAW_CASES: readonly RawCase[] = [
  { name: 'WebSockets/Text', transport: WebSockets, format: Text },
  { name: 'WebSockets/Binary', transport: WebSockets, format: Binary },
  { name: 'WebSockets/Text (skipNegotiation)', transport: WebSockets, format: Text, skipNegotiation: true },
  { name: 'ServerSentEvents/Text', transport: ServerSentEvents, format: Text },
  { name: 'LongPolling/Text', transport: LongPolling, format: Text },
  { name: 'LongPolling/Binary', transport: LongPolling, format: Binary },
];

/** An official HttpConnection that keeps everything it receives, as text or bytes. */
class RawClient {
  readonly connection: HttpConnection;
  private readonly received: Buffer[] = [];
  readonly closed: Promise<Error | undefined>;
  kinds = new Set<string>();

  constructor(url: string, readonly rawCase: RawCase) {
    this.connection = new HttpConnection(url, {
      transport: rawCase.transport,
      skipNegotiation: rawCase.skipNegotiation ?? false,
      logger: signalR.NullLogger.instance,
    });
    this.connection.onreceive = (data) => {
      this.kinds.add(typeof data === 'string' ? 'string' : 'ArrayBuffer');
      this.received.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));
    };
    this.closed = new Promise((resolve) => {
      this.connection.onclose = (error) => resolve(error);
    });
  }

  start(): Promise<void> {
    return this.connection.start(this.rawCase.format);
  }

  send(data: Buffer | string): Promise<void> {
    if (typeof data === 'string') return this.connection.send(data);
    return this.connection.send(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
  }

  get bytes(): Buffer {
    return Buffer.concat(this.received);
  }

  /** What arrived, once it is `length` bytes long (an echo may come back in fewer or more pieces than it left). */
  async receive(length: number): Promise<Buffer> {
    await waitFor(() => this.bytes.length >= length, 10_000, `${length} bytes`);
    const bytes = this.bytes;
    this.received.length = 0;
    return bytes;
  }
}

describe('connection handlers: the official HttpConnection (no hub) against /echo', () => {
  let conformance: ConformanceServer;
  let server: TestServer;
  const opened: string[] = [];
  const closedIds: string[] = [];
  const transports: string[] = [];

  before(async () => {
    conformance = await startConformanceServer({ hubOptions: { logger: quiet } });
    server = await startHubs((hubs) => {
      // Says which transport it is on, closes from the server on "bye", echoes the rest.
      hubs.mapConnectionHandler('/raw', (connection) => {
        opened.push(connection.connectionId);
        transports.push(connection.transport);
        connection.on('close', () => closedIds.push(connection.connectionId));
        connection.on('data', (data) => {
          if (data.toString() === 'bye') connection.close();
          else connection.send(data);
        });
      });
      hubs.mapHub('/hub', PlainHub);
    });
  });
  after(async () => {
    await conformance.close();
    await server.close();
  });

  for (const rawCase of RAW_CASES) {
    describe(rawCase.name, () => {
      it('round-trips small and large messages in order, as text or bytes', async () => {
        const client = new RawClient(`${conformance.url}/echo`, rawCase);
        await client.start();
        try {
          if (rawCase.format === Text) {
            await client.send('hello');
            assert.equal((await client.receive(5)).toString(), 'hello');
            await client.send('é ✓ \u{1F600}');
            assert.equal((await client.receive(Buffer.byteLength('é ✓ \u{1F600}'))).toString(), 'é ✓ \u{1F600}');
            const large = 'x'.repeat(1024 * 1024);
            await client.send(large);
            assert.equal((await client.receive(large.length)).toString(), large);
            assert.deepEqual([...client.kinds], ['string']);
          } else {
            const small = Buffer.from([0, 1, 2, 255, 254]);
            await client.send(small);
            assert.deepEqual(await client.receive(small.length), small);
            const large = randomBytes(1024 * 1024);
            await client.send(large);
            assert.ok((await client.receive(large.length)).equals(large), 'a 1 MiB binary message comes back intact');
            assert.deepEqual([...client.kinds], ['ArrayBuffer']);
          }
        } finally {
          await client.connection.stop();
        }
        assert.equal(await client.closed, undefined);
        await waitFor(() => conformance.hubs.connectionEndpoint('/echo')!.connectionCount === 0, 5000, 'the server to let go of the connection');
      });

      it('ends on the server when the client stops, and on the client when the server closes', async () => {
        const byClient = new RawClient(`${server.url}/raw`, rawCase);
        await byClient.start();
        await byClient.send('ping');
        assert.equal((await byClient.receive(4)).toString(), 'ping');
        const id = opened.at(-1)!;
        assert.equal(transports.at(-1), transportName[rawCase.transport]);
        await byClient.connection.stop();
        await waitFor(() => closedIds.includes(id), 5000, 'the handler to see the close');

        const byServer = new RawClient(`${server.url}/raw`, rawCase);
        await byServer.start();
        await byServer.send('bye');
        assert.equal(await within(byServer.closed, 5000, 'the server to close the connection'), undefined);
        await waitFor(() => server.hubs.connectionEndpoint('/raw')!.connectionCount === 0, 5000, 'no connection left');
      });
    });
  }

  it('shares negotiate with hubs: the same shape, no stateful reconnect for raw bytes', async () => {
    const raw = (await (await fetch(`${server.url}/raw/negotiate?negotiateVersion=1&useStatefulReconnect=true`, { method: 'POST' })).json()) as Record<string, unknown>;
    const hub = (await (await fetch(`${server.url}/hub/negotiate?negotiateVersion=1`, { method: 'POST' })).json()) as Record<string, unknown>;
    assert.deepEqual(raw.availableTransports, hub.availableTransports);
    assert.equal(raw.negotiateVersion, 1);
    assert.equal(raw.useStatefulReconnect, undefined);
    const v0 = (await (await fetch(`${server.url}/raw/negotiate`, { method: 'POST' })).json()) as Record<string, unknown>;
    assert.equal(v0.negotiateVersion, 0);
    assert.equal(v0.connectionToken, undefined);
    // A hub on the same server keeps working beside it.
    const connection = await connect(`${server.url}/hub`, { name: 'ws', transport: WebSockets, protocol: 'json', skipNegotiation: false });
    assert.equal(await connection.invoke('Echo', 'beside'), 'beside');
    await connection.stop();
  });

  it('shares authentication, CORS and the connection limit with hubs', async () => {
    const allowed = 'http://app.example.com';
    const users: (string | undefined)[] = [];
    const local = await startHubs((hubs) => {
      hubs.mapConnectionHandler('/private', async (connection) => {
        users.push(connection.user?.id);
        for await (const data of connection) connection.send(data);
      }, {
        authenticate: (_request, token) => (token === 'letmein' ? { id: 'alice', claims: {} } : null),
        cors: { origins: [allowed] },
        maxConnections: 1,
      });
    });
    try {
      assert.equal((await fetch(`${local.url}/private/negotiate?negotiateVersion=1`, { method: 'POST' })).status, 401);
      const preflight = await fetch(`${local.url}/private/negotiate`, {
        method: 'OPTIONS',
        headers: { Origin: allowed, 'Access-Control-Request-Method': 'POST' },
      });
      assert.equal(preflight.headers.get('access-control-allow-origin'), allowed);
      const refused = await fetch(`${local.url}/private/negotiate?negotiateVersion=1`, {
        method: 'POST',
        headers: { Origin: 'http://evil.example.com', Authorization: 'Bearer letmein' },
      });
      assert.equal(refused.status, 403);

      const connection = new HttpConnection(`${local.url}/private`, {
        transport: LongPolling,
        accessTokenFactory: () => 'letmein',
        logger: signalR.NullLogger.instance,
      });
      await connection.start(Text);
      assert.deepEqual(users, ['alice']);
      const full = (await (
        await fetch(`${local.url}/private/negotiate?negotiateVersion=1`, { method: 'POST', headers: { Authorization: 'Bearer letmein' } })
      ).json()) as { error?: string };
      assert.equal(full.error, 'The server has reached its connection limit. Try again later.');
      await connection.stop();
    } finally {
      await local.close();
    }
  });

  it('keeps WebSockets alive with ping frames, and drops a peer that stops answering them', async () => {
    const local = await startHubs((hubs) => {
      hubs.mapConnectionHandler('/pinged', async (connection) => {
        for await (const data of connection) connection.send(data);
      }, { keepAliveIntervalMs: 100, clientTimeoutMs: 400 });
    });
    try {
      const official = new RawClient(`${local.url}/pinged`, RAW_CASES[0]!);
      await official.start();
      // A peer that withholds its pongs (no client lets you do that; `ws` can be told to).
      const silent = new WebSocket(`${local.url.replace(/^http/, 'ws')}/pinged`, { autoPong: false });
      let pings = 0;
      silent.on('ping', () => pings++);
      const silentClosed = new Promise<number>((resolve) => silent.on('close', resolve));
      await within(silentClosed, 5000, 'the silent peer to be dropped');
      assert.ok(pings >= 2, `${pings} pings before giving up`);
      // The official client, whose WebSocket answers pings, outlived it.
      await official.send('still here');
      assert.equal((await official.receive(10)).toString(), 'still here');
      await official.connection.stop();
    } finally {
      await local.close();
    }
  });

  it('closes the connection when the handler returns, and survives a handler that throws', async () => {
    const local = await startHubs((hubs) => {
      hubs.mapConnectionHandler('/once', async (connection) => {
        for await (const data of connection) {
          connection.send(data);
          return; // one echo, then the connection ends
        }
      });
      hubs.mapConnectionHandler('/throws', async () => {
        throw new Error('handler bug');
      });
    });
    try {
      const once = new RawClient(`${local.url}/once`, RAW_CASES[0]!);
      await once.start();
      await once.send('one');
      assert.equal((await once.receive(3)).toString(), 'one');
      await within(once.closed, 5000, 'the connection to end with the handler');
      const throws = new RawClient(`${local.url}/throws`, RAW_CASES[4]!);
      await throws.start();
      await within(throws.closed, 5000, 'the connection to end with the failed handler');
    } finally {
      await local.close();
    }
  });
});

class PlainHub extends Hub {
  @hubMethod({})
  echo(value: string): string {
    return value;
  }
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
