import * as signalR from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';

export { signalR };

/** One way the official client can reach a hub. */
export interface ClientCase {
  readonly name: string;
  readonly transport: signalR.HttpTransportType;
  readonly protocol: 'json' | 'messagepack';
  readonly skipNegotiation: boolean;
}

const { WebSockets, ServerSentEvents, LongPolling } = signalR.HttpTransportType;

/** Every transport × protocol pair the spec allows (SSE carries text only). */
export const ALL_CASES: readonly ClientCase[] = [
  { name: 'WebSockets/JSON', transport: WebSockets, protocol: 'json', skipNegotiation: false },
  { name: 'WebSockets/MessagePack', transport: WebSockets, protocol: 'messagepack', skipNegotiation: false },
  { name: 'WebSockets/JSON (skipNegotiation)', transport: WebSockets, protocol: 'json', skipNegotiation: true },
  { name: 'WebSockets/MessagePack (skipNegotiation)', transport: WebSockets, protocol: 'messagepack', skipNegotiation: true },
  { name: 'ServerSentEvents/JSON', transport: ServerSentEvents, protocol: 'json', skipNegotiation: false },
  { name: 'LongPolling/JSON', transport: LongPolling, protocol: 'json', skipNegotiation: false },
  { name: 'LongPolling/MessagePack', transport: LongPolling, protocol: 'messagepack', skipNegotiation: false },
];

/** One case per transport (with negotiation), for features that do not depend on the protocol. */
export const TRANSPORT_CASES: readonly ClientCase[] = ALL_CASES.filter((c) => !c.skipNegotiation && c.protocol === 'json');

/** Cases for features tested on every transport with each protocol it allows. */
export const NEGOTIATED_CASES: readonly ClientCase[] = ALL_CASES.filter((c) => !c.skipNegotiation);

export const transportName: Record<number, string> = {
  [WebSockets]: 'WebSockets',
  [ServerSentEvents]: 'ServerSentEvents',
  [LongPolling]: 'LongPolling',
};

export interface BuildOptions {
  readonly accessToken?: string;
  readonly headers?: Record<string, string>;
  readonly serverTimeoutMs?: number;
  readonly keepAliveMs?: number;
  readonly statefulReconnect?: boolean;
  readonly reconnect?: boolean;
  readonly logger?: signalR.ILogger;
}

export function buildConnection(url: string, clientCase: ClientCase, options: BuildOptions = {}): signalR.HubConnection {
  let builder = new signalR.HubConnectionBuilder()
    .withUrl(url, {
      transport: clientCase.transport,
      skipNegotiation: clientCase.skipNegotiation,
      accessTokenFactory: options.accessToken ? () => options.accessToken! : undefined,
      headers: options.headers,
    })
    .configureLogging(options.logger ?? signalR.NullLogger.instance);
  if (clientCase.protocol === 'messagepack') builder = builder.withHubProtocol(new MessagePackHubProtocol());
  if (options.serverTimeoutMs !== undefined) builder = builder.withServerTimeout(options.serverTimeoutMs);
  if (options.keepAliveMs !== undefined) builder = builder.withKeepAliveInterval(options.keepAliveMs);
  if (options.statefulReconnect) builder = builder.withStatefulReconnect();
  if (options.reconnect) builder = builder.withAutomaticReconnect([0, 100, 200, 500, 1000]);
  return builder.build();
}

export async function connect(url: string, clientCase: ClientCase, options: BuildOptions = {}): Promise<signalR.HubConnection> {
  const connection = buildConnection(url, clientCase, options);
  await connection.start();
  return connection;
}

/** Resolves with the error passed to `onclose` (undefined for a clean close). */
export function closed(connection: signalR.HubConnection): Promise<Error | undefined> {
  return new Promise((resolve) => connection.onclose((error) => resolve(error)));
}

/** Collects the arguments of every call of a client method. */
export function record<T = unknown>(connection: signalR.HubConnection, method: string): T[] {
  const received: T[] = [];
  connection.on(method, (value: T) => {
    received.push(value);
  });
  return received;
}

export function collectStream<T>(stream: signalR.IStreamResult<T>): Promise<T[]> {
  const items: T[] = [];
  return new Promise((resolve, reject) => {
    stream.subscribe({ next: (item) => items.push(item), complete: () => resolve(items), error: (err) => reject(err) });
  });
}
