import type { WebSocket } from 'ws';
import { RECORD_END, type RawWsSubscribe, type RawWsSubscribed } from '../../server/raw-ws-system.js';
import type { SessionHost, WireProtocol, WireSession } from './wire.js';

const RECORD_END_BYTE = RECORD_END.charCodeAt(0);

/**
 * The hand-rolled protocol: one JSON subscribe message and its reply, then
 * every message is an update, or with `batched`, 0x1E-terminated updates.
 */
class RawWsSession implements WireSession {
  private subscribed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly host: SessionHost,
    private readonly jobId: string,
    private readonly batched: boolean,
  ) {}

  open(): void {
    this.socket.send(JSON.stringify({ subscribeToJob: this.jobId } satisfies RawWsSubscribe));
  }

  receive(frame: Buffer): void {
    if (this.subscribed && this.batched) {
      let start = 0;
      for (let end = frame.indexOf(RECORD_END_BYTE); end !== -1; end = frame.indexOf(RECORD_END_BYTE, start)) {
        this.host.deliver(frame, start, end);
        start = end + 1;
      }
      if (start !== frame.length) this.host.failed(new Error('A WebSocket message ended inside a record.'));
      return;
    }
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
  session: (socket, host, jobId) => new RawWsSession(socket, host, jobId, false),
};

export const rawWsBatched: WireProtocol = {
  path: '/',
  session: (socket, host, jobId) => new RawWsSession(socket, host, jobId, true),
};
