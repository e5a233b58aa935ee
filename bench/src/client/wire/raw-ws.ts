import type { WebSocket } from 'ws';
import type { RawWsSubscribe, RawWsSubscribed } from '../../server/raw-ws-system.js';
import type { SessionHost, WireProtocol, WireSession } from './wire.js';

/** The hand-rolled protocol: one JSON subscribe message and its reply, then every message is an update. */
class RawWsSession implements WireSession {
  private subscribed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly host: SessionHost,
    private readonly jobId: string,
  ) {}

  open(): void {
    this.socket.send(JSON.stringify({ subscribeToJob: this.jobId } satisfies RawWsSubscribe));
  }

  receive(frame: Buffer): void {
    if (this.subscribed) {
      this.host.deliver(frame, 0, frame.length);
      return;
    }
    const reply = JSON.parse(frame.toString()) as RawWsSubscribed;
    if (typeof reply.subscribed !== 'string') {
      this.host.failed(new Error(`Unexpected reply to subscribe: ${frame.toString()}`));
      return;
    }
    this.subscribed = true;
    this.host.subscribed();
  }

  keepAlive(): void {
    // The hand-rolled server has no keep-alive.
  }
}

export const rawWs: WireProtocol = {
  path: '/',
  session: (socket, host, jobId) => new RawWsSession(socket, host, jobId),
};
