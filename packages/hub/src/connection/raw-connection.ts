import type { HubUser } from '../hub/user.js';
import type { TransportName } from '../transports/transport.js';
import type { Connection } from './connection.js';
import type { RequestInfo } from './request-info.js';

export type RawDataListener = (data: Buffer) => void;
export type RawCloseListener = (error: Error | undefined) => void;

/**
 * A client connection without the hub protocol (what ASP.NET's
 * `MapConnectionHandler` hands its handler): bytes in, bytes out, over whichever
 * transport the client negotiated. Read with `for await (const data of connection)`
 * or `connection.on('data', …)`; write with `send`. Data is a stream, not a
 * sequence of messages: what is sent in one event-loop turn may reach the client
 * as one piece, as with ASP.NET.
 */
export class RawConnection implements AsyncIterable<Buffer> {
  private unread: Buffer[] = [];
  private unreadBytes = 0;
  private wake: (() => void) | undefined;
  private dataListeners: RawDataListener[] | undefined;
  private closeListeners: RawCloseListener[] | undefined;
  private ended = false;
  private endError: Error | undefined;

  constructor(
    private readonly connection: Connection,
    /** Data the handler has not read yet may grow to this; more closes the connection. */
    private readonly maxUnreadBytes: number,
  ) {}

  get connectionId(): string {
    return this.connection.connectionId;
  }

  /** Who authenticated at negotiate (or connect), when the endpoint has `authenticate`. */
  get user(): HubUser | undefined {
    return this.connection.user;
  }

  /** The HTTP request that opened (or last refreshed) the connection. */
  get request(): RequestInfo {
    return this.connection.request;
  }

  get transport(): TransportName {
    return this.connection.transport ?? 'WebSockets';
  }

  /**
   * How data goes out: WebSocket frame type and long-poll content type. It
   * follows what the client last sent over a WebSocket; set it to send binary first.
   */
  get transferFormat(): 'Text' | 'Binary' {
    return this.connection.binary ? 'Binary' : 'Text';
  }

  set transferFormat(format: 'Text' | 'Binary') {
    this.connection.binary = format === 'Binary';
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /** Queues bytes (a string goes as UTF-8); they leave with everything else sent this turn. */
  send(data: Uint8Array | string): void {
    if (this.ended) return;
    const bytes =
      typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.length > 0) this.connection.write(bytes);
  }

  /** Ends the connection once queued output has gone out. */
  close(reason?: string): void {
    this.connection.close(reason === undefined ? undefined : new Error(reason), 'app_close');
  }

  on(event: 'data', listener: RawDataListener): this;
  on(event: 'close', listener: RawCloseListener): this;
  on(event: 'data' | 'close', listener: RawDataListener | RawCloseListener): this {
    if (event === 'data') {
      (this.dataListeners ??= []).push(listener as RawDataListener);
      // Whatever arrived before the listener was added is not lost.
      const pending = this.takeUnread();
      for (const data of pending) (listener as RawDataListener)(data);
    } else if (this.ended) {
      (listener as RawCloseListener)(this.endError);
    } else {
      (this.closeListeners ??= []).push(listener as RawCloseListener);
    }
    return this;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const pending = this.takeUnread();
      for (const data of pending) yield data;
      if (pending.length > 0) continue;
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** @internal Data from the client. */
  deliver(data: Buffer): void {
    if (this.ended) return;
    const listeners = this.dataListeners;
    if (listeners) {
      for (const listener of listeners) listener(data);
      return;
    }
    this.unread.push(data);
    this.unreadBytes += data.length;
    if (this.unreadBytes > this.maxUnreadBytes) {
      this.connection.closeReason ??= 'slow_consumer';
      this.close(`The handler left more than ${this.maxUnreadBytes} bytes of received data unread.`);
      return;
    }
    this.wakeReader();
  }

  /** @internal The connection ended. */
  end(error: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.endError = error;
    this.wakeReader();
    const listeners = this.closeListeners;
    this.closeListeners = undefined;
    this.dataListeners = undefined;
    if (listeners) for (const listener of listeners) listener(error);
  }

  private takeUnread(): Buffer[] {
    const pending = this.unread;
    if (pending.length === 0) return pending;
    this.unread = [];
    this.unreadBytes = 0;
    return pending;
  }

  private wakeReader(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
