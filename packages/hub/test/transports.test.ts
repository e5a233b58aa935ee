import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ConformanceServer, startConformanceServer } from '../src/conformance/conformance-server.js';
import { OLDER_CLIENTS, type OlderHubConnection, buildOlder } from './support/older-clients.js';
import { ALL_CASES, collectStream, connect, record, signalR, transportName } from './support/signalr.js';
import { waitFor } from './support/wait.js';

describe('official client against the conformance server, every transport × protocol', () => {
  let server: ConformanceServer;
  let detailed: ConformanceServer;

  before(async () => {
    server = await startConformanceServer({ hubOptions: { logger: quiet } });
    detailed = await startConformanceServer({ hubOptions: { detailedErrors: true, logger: quiet } });
  });
  after(async () => {
    await server.close();
    await detailed.close();
  });

  for (const clientCase of ALL_CASES) {
    describe(clientCase.name, () => {
      it('invokes with a result and reports its transport and connection id', async () => {
        const connection = await connect(`${server.url}/testhub`, clientCase);
        try {
          assert.equal(await connection.invoke('Echo', 'hello'), 'hello');
          assert.equal(await connection.invoke('echo', 'case-insensitive'), 'case-insensitive');
          assert.equal(await connection.invoke('GetActiveTransportName'), transportName[clientCase.transport]);
          const id = await connection.invoke<string>('GetCallerConnectionId');
          if (clientCase.skipNegotiation) assert.match(id, /^[\w-]{22}$/);
          else assert.equal(id, connection.connectionId);
        } finally {
          await connection.stop();
        }
      });

      it('round-trips complex objects, bytes and dates', async () => {
        const connection = await connect(`${server.url}/testhub`, clientCase);
        try {
          const value = { name: 'x', list: [1, 2, 3], nested: { ok: true, none: null } };
          assert.deepEqual(await connection.invoke('EchoComplexObject', value), value);
          const complex = await connection.invoke<Record<string, unknown>>('SendComplexObject');
          assert.equal(complex.String, 'hello world');
          assert.deepEqual(complex.IntArray, [1, 2, 3]);
          assert.equal(complex.GUID, '00010203-0405-0607-0706-050403020100');
          if (clientCase.protocol === 'json') {
            assert.equal(complex.ByteArray, 'AQID'); // base64, as ASP.NET Core encodes byte[] in JSON
            assert.equal(complex.DateTime, '2000-01-01T00:00:00Z'); // System.Text.Json trims a zero fraction
          } else {
            assert.deepEqual([...(complex.ByteArray as Uint8Array)], [1, 2, 3]);
            assert.equal((complex.DateTime as Date).toISOString(), '2000-01-01T00:00:00.000Z');
          }
        } finally {
          await connection.stop();
        }
      });

      it('sends without waiting for a result, and the server calls back', async () => {
        const connection = await connect(`${server.url}/testhub`, clientCase);
        try {
          const messages = record<string>(connection, 'Message');
          const objects = record<unknown>(connection, 'CustomObject');
          await connection.send('InvokeWithString', 'fire and forget');
          await connection.send('SendCustomObject', { a: 1 });
          await waitFor(() => messages.length === 1 && objects.length === 1, 5000, 'callbacks');
          assert.deepEqual(messages, ['fire and forget']);
          assert.deepEqual(objects, [{ a: 1 }]);
        } finally {
          await connection.stop();
        }
      });

      it('turns thrown errors into a generic message, or a detailed one when enabled', async () => {
        const generic = await connect(`${server.url}/testhub`, clientCase);
        const verbose = await connect(`${detailed.url}/testhub`, clientCase);
        try {
          await assert.rejects(generic.invoke('ThrowException', 'secret detail'), {
            message: "An unexpected error occurred invoking 'ThrowException' on the server.",
          });
          await assert.rejects(verbose.invoke('ThrowException', 'secret detail'), {
            message: "An unexpected error occurred invoking 'ThrowException' on the server. Error: secret detail",
          });
          // The connection survives a failed invocation.
          assert.equal(await generic.invoke('Echo', 'still here'), 'still here');
        } finally {
          await generic.stop();
          await verbose.stop();
        }
      });

      it('streams from the server', async () => {
        const connection = await connect(`${server.url}/testhub`, clientCase);
        try {
          assert.deepEqual(await collectStream(connection.stream('Stream')), ['a', 'b', 'c']);
          assert.deepEqual(await collectStream(connection.stream('EmptyStream')), []);
        } finally {
          await connection.stop();
        }
      });
    });
  }

  // Clients users have pinned: one test per major × transport × protocol that covers what the cases above do one by one.
  for (const client of OLDER_CLIENTS) {
    for (const clientCase of ALL_CASES) {
      it(`${client.name}: ${clientCase.name}`, async () => {
        const transport = transportName[clientCase.transport] as 'WebSockets' | 'ServerSentEvents' | 'LongPolling';
        const connection = buildOlder(client, `${server.url}/testhub`, transport, clientCase.protocol, clientCase.skipNegotiation);
        const messages: unknown[] = [];
        connection.on('Message', (message) => messages.push(message));
        await connection.start();
        try {
          assert.equal(await connection.invoke('Echo', 'hello'), 'hello');
          assert.equal(await connection.invoke('GetActiveTransportName'), transport);
          assert.deepEqual(await connection.invoke('EchoComplexObject', { list: [1, 2], nested: { ok: true } }), { list: [1, 2], nested: { ok: true } });
          await connection.send('InvokeWithString', 'fire and forget');
          assert.deepEqual(await olderStream(connection, 'Stream'), ['a', 'b', 'c']);
          await assert.rejects(connection.invoke('ThrowException', 'secret'), { message: "An unexpected error occurred invoking 'ThrowException' on the server." });
          await waitFor(() => messages.length === 1, 5000, 'the callback');
          assert.deepEqual(messages, ['fire and forget']);
        } finally {
          await connection.stop();
        }
      });
    }
  }

  it('follows a negotiate redirect (GetNumRedirects reads the redirected query)', async () => {
    const connection = await connect(`${server.url}/redirect`, ALL_CASES[0]!);
    try {
      assert.equal(await connection.invoke('GetNumRedirects'), 1);
    } finally {
      await connection.stop();
    }
  });

  it('exposes request headers and cookies to the hub', async () => {
    const connection = await connect(`${server.url}/testhub`, ALL_CASES[0]!, { headers: { Cookie: 'flavor=oatmeal; other=1' } });
    try {
      assert.equal(await connection.invoke('GetCookie', 'flavor'), 'oatmeal');
      assert.equal(await connection.invoke('GetCookie', 'missing'), null);
    } finally {
      await connection.stop();
    }
  });

  it('serves /testhub-nowebsockets without WebSockets', async () => {
    const wsOnly = { ...ALL_CASES[0]! };
    await assert.rejects(connect(`${server.url}/testhub-nowebsockets`, wsOnly));
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`${server.url}/testhub-nowebsockets`)
      .configureLogging(signalR.NullLogger.instance)
      .build();
    await connection.start();
    try {
      assert.equal(await connection.invoke('GetActiveTransportName'), 'ServerSentEvents');
    } finally {
      await connection.stop();
    }
  });
});

function olderStream(connection: OlderHubConnection, method: string): Promise<unknown[]> {
  const items: unknown[] = [];
  return new Promise((resolve, reject) => {
    connection.stream(method).subscribe({ next: (item) => items.push(item), complete: () => resolve(items), error: reject });
  });
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
