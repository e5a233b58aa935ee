import type { WebSocket } from 'ws';

/** What a session reports to the connection that owns it. */
export interface SessionHost {
  /** One delivery of the bench event, at `frame[start, end)`. */
  deliver(frame: Buffer, start: number, end: number): void;
  /** The server confirmed the subscription to the bench job. */
  subscribed(): void;
  failed(error: Error): void;
}

/** One bare-WebSocket client speaking a system's wire protocol just far enough to subscribe and count. */
export interface WireSession {
  /** The socket is open: handshake and subscribe. */
  open(): void;
  /** One WebSocket message from the server. */
  receive(frame: Buffer): void;
  /** Called every few seconds: the keep-alive the protocol expects of clients, if any. */
  keepAlive(): void;
}

export type WireName = 'tidings-json' | 'tidings-messagepack' | 'socket.io' | 'ws' | 'ws-batched';

export interface WireProtocol {
  /** Path and query of the WebSocket URL. */
  readonly path: string;
  session(socket: WebSocket, host: SessionHost, jobId: string): WireSession;
}
