import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { type TestServer, startHubs } from './support/server.js';
import { ALL_CASES, closed, connect } from './support/signalr.js';
import { within } from './support/wait.js';

class SmallHub extends Hub {
  @hubMethod({})
  echo(value: string): string {
    return value;
  }
}

/** The largest send request body the connection layer reads. */
const MAX_POST_BYTES = 16 * 1024 * 1024;

/** Oversize input gets a clear refusal, never a reset socket or a silent close. */
describe('oversize input', () => {
  let server: TestServer;

  before(async () => {
    server = await startHubs((hubs) => hubs.mapHub('/small', SmallHub, { maxReceiveMessageSize: 1024 }));
  });
  after(() => server.close());

  async function negotiate(): Promise<string> {
    const response = await fetch(`${server.url}/small/negotiate?negotiateVersion=1`, { method: 'POST' });
    return ((await response.json()) as { connectionToken: string }).connectionToken;
  }

  for (const transport of ['LongPolling', 'ServerSentEvents'] as const) {
    it(`a ${transport} send over ${MAX_POST_BYTES} bytes gets 413 with a reason`, async () => {
      const token = await negotiate();
      const url = `${server.url}/small?id=${token}`;
      const controller = new AbortController();
      if (transport === 'LongPolling') await (await fetch(url)).text();
      else await fetch(url, { headers: { Accept: 'text/event-stream' }, signal: controller.signal });
      try {
        const response = await fetch(url, { method: 'POST', body: Buffer.alloc(MAX_POST_BYTES + 1, 0x61) });
        assert.equal(response.status, 413);
        assert.equal(await response.text(), `The request body exceeds the limit of ${MAX_POST_BYTES} bytes.`);
        // The connection that sent it is over.
        assert.equal((await fetch(url, { method: 'POST', body: '{}' })).status, 404);
      } finally {
        controller.abort();
      }
    });
  }

  for (const clientCase of ALL_CASES.filter((c) => c.name.startsWith('WebSockets') && !c.skipNegotiation)) {
    it(`a WebSocket message over the frame cap ends with a Close message saying why (${clientCase.name})`, async () => {
      const connection = await connect(`${server.url}/small`, clientCase);
      const error = closed(connection);
      // 1 KiB messages, so the frame cap is the 1 MiB floor.
      void connection.invoke('Echo', 'x'.repeat(1024 * 1024 + 1)).catch(() => {});
      const reason = await within(error, 5000, 'the connection to close');
      assert.equal(
        reason?.message,
        'Server returned an error on close: Connection closed with an error. InvalidDataException: The maximum message size of 1048576 bytes was exceeded.',
      );
    });
  }
});
