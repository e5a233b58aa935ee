export type TransportName = 'WebSockets' | 'ServerSentEvents' | 'LongPolling';

export const ALL_TRANSPORTS: readonly TransportName[] = ['WebSockets', 'ServerSentEvents', 'LongPolling'];

/** The server-to-client half of a transport. */
export interface TransportSink {
  readonly name: TransportName;
  /** Whether `send` may be called now (a long poll must be waiting). */
  readonly ready: boolean;
  /** Sends whole records, in order, as one transport write. */
  send(chunks: readonly Buffer[], byteLength: number, binary: boolean): void;
  /** Bytes handed to the transport but not yet to the operating system. */
  bufferedAmount(): number;
  /** Ends the transport after what it was given is written. */
  end(): void;
  /** Drops the transport at once, discarding unsent output (a peer too slow to keep up). */
  abort(): void;
  /**
   * A transport-level keep-alive, for consumers without one of their own (raw
   * connections; hubs send Ping messages). Returns when the peer last answered one.
   */
  ping?(now: number): number;
}

/** OpenTelemetry's value for each transport (`signalr.transport`), in metrics labels and span attributes. */
export const TRANSPORT_ATTRIBUTE: Readonly<Record<TransportName, string>> = {
  WebSockets: 'web_sockets',
  ServerSentEvents: 'server_sent_events',
  LongPolling: 'long_polling',
};
