import type { HubLogger } from '../logger.js';
import type { Connection, ConnectionHandler } from './connection.js';
import { RawConnection } from './raw-connection.js';

/**
 * What `mapConnectionHandler` runs for each connection. A returned promise ends
 * the connection when it settles (ASP.NET's `OnConnectedAsync`); a handler that
 * returns nothing keeps it open until either side closes it (event style).
 */
export type ConnectionHandlerFunction = (connection: RawConnection) => void | Promise<void>;

/**
 * The connection layer's second consumer (the hub protocol is the first): it
 * hands the raw bytes to an application function, as ASP.NET's ConnectionHandler
 * does, and ends the connection when that function returns.
 */
export class RawConnectionHandler implements ConnectionHandler {
  readonly raw: RawConnection;

  private nextPingAt = 0;

  constructor(
    private readonly connection: Connection,
    handler: ConnectionHandlerFunction,
    maxUnreadBytes: number,
    private readonly logger: HubLogger,
    private readonly keepAlive: { readonly intervalMs: number; readonly timeoutMs: number },
  ) {
    this.raw = new RawConnection(connection, maxUnreadBytes);
    // Run after the transport is attached, so the handler sees it.
    queueMicrotask(() => this.run(handler));
  }

  onData(data: Buffer, binary: boolean | undefined): void {
    // A client that sends binary WebSocket frames is answered in binary ones.
    if (binary !== undefined) this.connection.binary = binary;
    this.raw.deliver(data);
  }

  onTransportAttached(): void {}

  onTransportLost(): boolean {
    return false;
  }

  onClose(error: Error | undefined): void {
    this.raw.end(error);
  }

  close(reason: string | undefined): void {
    this.raw.close(reason);
  }

  /**
   * Raw bytes have no Ping message, so a WebSocket gets ping frames instead (as
   * ASP.NET's WebSocketOptions.KeepAliveInterval sends), and a peer that stops
   * answering them for the client timeout is dropped.
   */
  tick(now: number): void {
    const sink = this.connection.sink;
    if (!sink?.ping || now < this.nextPingAt) return;
    this.nextPingAt = now + this.keepAlive.intervalMs;
    const lastPong = sink.ping(now);
    if (now - lastPong > this.keepAlive.timeoutMs) {
      this.logger.debug({ connectionId: this.connection.connectionId }, 'no pong within the client timeout');
      this.connection.close(new Error('The client stopped answering WebSocket pings.'), 'timeout');
    }
  }

  private async run(handler: ConnectionHandlerFunction): Promise<void> {
    try {
      const running = handler(this.raw);
      if (running === undefined) return;
      await running;
      this.raw.close();
    } catch (error) {
      this.logger.error({ connectionId: this.connection.connectionId, err: error }, 'connection handler failed');
      this.connection.closeReason ??= 'hub_error';
      this.raw.close('The connection handler failed.');
    }
  }
}
