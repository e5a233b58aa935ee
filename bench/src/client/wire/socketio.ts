import type { WebSocket } from 'ws';
import type { SessionHost, WireProtocol, WireSession } from './wire.js';

// Engine.IO packet types (first byte), then Socket.IO packet types (second byte of a message packet).
const EIO_OPEN = 0x30; // '0'
const EIO_CLOSE = 0x31; // '1'
const EIO_PING = 0x32; // '2'
const EIO_MESSAGE = 0x34; // '4'
const SIO_CONNECT = 0x30; // '0'
const SIO_EVENT = 0x32; // '2'
const SIO_ACK = 0x33; // '3'
const SIO_CONNECT_ERROR = 0x34; // '4'
const SUBSCRIBE_ACK_ID = 0x30; // ack id '0'

/**
 * Socket.IO 4 over a bare WebSocket: the Engine.IO open packet, a connect to
 * the main namespace, a `subscribeToJob` event with an acknowledgement, then
 * every event packet (`42[...]`) counts. Engine.IO pings are answered.
 */
class SocketIoSession implements WireSession {
  constructor(
    private readonly socket: WebSocket,
    private readonly host: SessionHost,
    private readonly jobId: string,
  ) {}

  open(): void {
    // The server speaks first (the Engine.IO open packet).
  }

  receive(frame: Buffer): void {
    switch (frame[0]) {
      case EIO_MESSAGE:
        this.message(frame);
        return;
      case EIO_PING:
        this.socket.send('3');
        return;
      case EIO_OPEN:
        this.socket.send('40');
        return;
      case EIO_CLOSE:
        this.host.failed(new Error('The server closed the Engine.IO session.'));
    }
  }

  keepAlive(): void {
    // Engine.IO 4: the server pings and the client answers.
  }

  private message(frame: Buffer): void {
    switch (frame[1]) {
      case SIO_EVENT:
        this.host.deliver(frame, 0, frame.length);
        return;
      case SIO_CONNECT:
        this.socket.send(`420${JSON.stringify(['subscribeToJob', this.jobId])}`);
        return;
      case SIO_ACK:
        if (frame[2] === SUBSCRIBE_ACK_ID) this.host.subscribed();
        return;
      case SIO_CONNECT_ERROR:
        this.host.failed(new Error(`Socket.IO refused the connection: ${frame.toString('utf8', 2)}`));
    }
  }
}

export const socketIo: WireProtocol = {
  path: '/socket.io/?EIO=4&transport=websocket',
  session: (socket, host, jobId) => new SocketIoSession(socket, host, jobId),
};
