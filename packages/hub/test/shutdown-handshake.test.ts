import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { TRANSPORT_CASES, buildConnection, closed, signalR } from './support/signalr.js';
import { startHubs } from './support/server.js';
import { within } from './support/wait.js';

class EchoHub extends Hub {
  @hubMethod()
  echo(value: string) {
    return value;
  }
}

describe('handshake timeout and shutdown', () => {
  it('closes a transport that never sends its handshake', async () => {
    const server = await startHubs((hubs) => hubs.mapHub('/slow', EchoHub, { handshakeTimeoutMs: 200 }));
    try {
      const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/slow`);
      const started = Date.now();
      const code = await within(new Promise<number>((resolve) => socket.on('close', resolve)), 5000, 'the server to close the socket');
      assert.equal(code, 1000);
      assert.ok(Date.now() - started >= 150, 'closed by the timeout, not at once');
      assert.equal(server.hubs.endpoint('/slow')!.connectionCount, 0);
    } finally {
      await server.close();
    }
  });

  for (const clientCase of TRANSPORT_CASES) {
    it(`shutting down sends Close with allowReconnect, so reconnecting clients try again (${clientCase.name})`, async () => {
      const server = await startHubs((hubs) => hubs.mapHub('/bye', EchoHub));
      const reconnecting = buildConnection(`${server.url}/bye`, clientCase, { reconnect: true });
      const plain = buildConnection(`${server.url}/bye`, clientCase);
      await reconnecting.start();
      await plain.start();
      const retried = new Promise<Error | undefined>((resolve) => reconnecting.onreconnecting(resolve));
      const plainClosed = closed(plain);
      await server.close();
      const reason = await within(retried, 5000, 'the client to start reconnecting');
      assert.match(String(reason), /Server is shutting down/);
      assert.match(String(await within(plainClosed, 5000, 'the plain client to close')), /Server is shutting down/);
      assert.equal(plain.state, signalR.HubConnectionState.Disconnected);
      await reconnecting.stop();
    });
  }
});
