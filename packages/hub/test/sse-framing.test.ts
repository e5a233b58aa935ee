import assert from 'node:assert/strict';
import { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { type TestServer, startHubs } from './support/server.js';
import { connect, record, signalR } from './support/signalr.js';
import { waitFor } from './support/wait.js';

class BurstHub extends Hub {
  /** Several records in one turn: they leave in one flush. */
  @hubMethod({})
  async burst(count: number): Promise<number> {
    for (let i = 0; i < count; i++) void this.clients.caller.send('Item', `line ${i}\nwith a break`, i);
    return count;
  }
}

describe('Server-Sent Events framing', () => {
  let server: TestServer;

  before(async () => {
    server = await startHubs((hubs) => hubs.mapHub('/burst', BurstHub));
  });
  after(() => server.close());

  it('writes each flush to the socket once, like a WebSocket frame, not three writes per record', async () => {
    const connection = await connect(`${server.url}/burst`, {
      name: 'ServerSentEvents/JSON',
      transport: signalR.HttpTransportType.ServerSentEvents,
      protocol: 'json',
      skipNegotiation: false,
    });
    const items = record<string>(connection, 'Item');
    const write = ServerResponse.prototype.write;
    let eventStreamWrites = 0;
    ServerResponse.prototype.write = function (this: ServerResponse, ...args: Parameters<typeof write>) {
      if (this.req.headers.accept === 'text/event-stream') eventStreamWrites++;
      return write.apply(this, args);
    } as typeof write;
    try {
      assert.equal(await connection.invoke('Burst', 20), 20);
      await waitFor(() => items.length === 20, 5000, 'every item');
    } finally {
      ServerResponse.prototype.write = write;
      await connection.stop();
    }
    assert.deepEqual(items.slice(0, 2), ['line 0\nwith a break', 'line 1\nwith a break']);
    // 21 records (20 items and the completion): one or two flushes, never a write per record.
    assert.ok(eventStreamWrites >= 1 && eventStreamWrites <= 2, `${eventStreamWrites} writes for 21 records`);
  });
});
