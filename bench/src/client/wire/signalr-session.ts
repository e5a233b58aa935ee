import type { WebSocket } from 'ws';
import type { SessionHost, WireSession } from './wire.js';

/** SignalR message types the counters act on. */
export const MessageType = { Invocation: 1, Completion: 3, Ping: 6, Close: 7 } as const;

/** Ends the handshake response and every JSON record. */
export const RECORD_SEPARATOR = 0x1e;

const SUBSCRIBE_ID = '1';

/**
 * What the two SignalR counters share: the handshake response, the
 * SubscribeToJob invocation and its completion, and client pings (the hub
 * drops a client it has not heard from within its client timeout).
 */
export abstract class SignalRSession implements WireSession {
  protected handshaken = false;

  constructor(
    protected readonly socket: WebSocket,
    protected readonly host: SessionHost,
    private readonly jobId: string,
  ) {}

  abstract open(): void;
  abstract receive(frame: Buffer): void;
  /** The protocol's encoding of a ping. */
  protected abstract readonly pingRecord: Buffer | string;

  keepAlive(): void {
    if (this.handshaken) this.socket.send(this.pingRecord);
  }

  /** The SubscribeToJob invocation, for the protocol to encode. */
  protected subscribeInvocation(): { invocationId: string; target: string; arguments: string[] } {
    return { invocationId: SUBSCRIBE_ID, target: 'SubscribeToJob', arguments: [this.jobId] };
  }

  /** `{}`, or `{"error": …}` when the hub refused the handshake. */
  protected handshakeResponse(text: string): void {
    const response = JSON.parse(text) as { error?: string };
    if (response.error !== undefined) this.host.failed(new Error(`Handshake refused: ${response.error}`));
    this.handshaken = true;
  }

  protected completion(invocationId: unknown, error: string | undefined): void {
    if (invocationId !== SUBSCRIBE_ID) return;
    if (error !== undefined) this.host.failed(new Error(`SubscribeToJob failed: ${error}`));
    else this.host.subscribed();
  }
}
