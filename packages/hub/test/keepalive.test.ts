import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { TRANSPORT_CASES, closed, connect, signalR } from './support/signalr.js';
import { type TestServer, startHubs } from './support/server.js';
import { delay, within } from './support/wait.js';

class PingHub extends Hub {
  @hubMethod()
  echo(value: string) {
    return value;
  }
}

// Generous against a loaded CI machine: pings come ~5× as often as either timeout.
const CLIENT_TIMEOUT_MS = 1500;

describe('keep-alive and client timeout', () => {
  let server: TestServer;

  before(async () => {
    server = await startHubs((hubs) => {
      hubs.mapHub('/ping', PingHub, { keepAliveIntervalMs: 300, clientTimeoutMs: CLIENT_TIMEOUT_MS });
    });
  });
  after(() => server.close());

  for (const clientCase of TRANSPORT_CASES) {
    it(`an idle connection outlives the client timeout thanks to pings (${clientCase.name})`, async () => {
      // The client pings every 300 ms; it would give up on a server silent for 1.5 s.
      const connection = await connect(`${server.url}/ping`, clientCase, { keepAliveMs: 300, serverTimeoutMs: 1500 });
      let closedWith: Error | undefined | null = null;
      connection.onclose((error) => {
        closedWith = error;
      });
      await delay(CLIENT_TIMEOUT_MS * 2.5);
      assert.equal(closedWith, null, 'the connection should still be open');
      assert.equal(connection.state, signalR.HubConnectionState.Connected);
      assert.equal(await connection.invoke('Echo', 'alive'), 'alive');
      await connection.stop();
    });
  }

  it('drops a client that stops talking after the client timeout', async () => {
    // A client that never pings: the server hears nothing after the handshake.
    const silent = await connect(`${server.url}/ping`, TRANSPORT_CASES[0]!, { keepAliveMs: 60_000, serverTimeoutMs: 60_000 });
    const error = await within(closed(silent), CLIENT_TIMEOUT_MS * 5, 'the server to drop the silent client');
    assert.match(String(error), /timeout elapsed without receiving a message from the client/);
  });
});
