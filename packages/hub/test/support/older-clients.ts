import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The parts of an official client every major since 1.0 has, typed structurally. */
export interface OlderHubConnection {
  start(): Promise<void>;
  stop(): Promise<void>;
  invoke<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  send(method: string, ...args: unknown[]): Promise<void>;
  on(method: string, handler: (...args: unknown[]) => void): void;
  stream<T = unknown>(method: string, ...args: unknown[]): {
    subscribe(observer: { next(item: T): void; complete(): void; error(err: unknown): void }): unknown;
  };
}

interface OlderBuilder {
  withUrl(url: string, options: { transport: number; skipNegotiation?: boolean }): OlderBuilder;
  withHubProtocol(protocol: unknown): OlderBuilder;
  configureLogging(level: number): OlderBuilder;
  build(): OlderHubConnection;
}

interface OlderClientModule {
  HubConnectionBuilder: new () => OlderBuilder;
  HttpTransportType: { WebSockets: number; ServerSentEvents: number; LongPolling: number };
  LogLevel: { None: number };
}

/** One pinned major of the official JavaScript client, installed under an npm alias. */
export interface OlderClient {
  readonly name: string;
  readonly module: OlderClientModule;
  /** Its MessagePack protocol package, where that major shipped one. */
  readonly messagePack: (new () => unknown) | undefined;
}

function load(name: string, packageName: string, messagePackPackage: string | undefined): OlderClient {
  const module = require(packageName) as OlderClientModule;
  const messagePack = messagePackPackage
    ? (require(messagePackPackage) as { MessagePackHubProtocol: new () => unknown }).MessagePackHubProtocol
    : undefined;
  return { name, module, messagePack };
}

/** The majors users have pinned that run in Node (1.0 and 5.0 run only in browsers; see browser-clients.test.ts). */
export const OLDER_CLIENTS: readonly OlderClient[] = [
  load('@aspnet/signalr 1.1', 'signalr-aspnet-1.1', 'signalr-aspnet-1.1-msgpack'),
  load('@microsoft/signalr 3.1', 'signalr-3', 'signalr-3-msgpack'),
  load('@microsoft/signalr 6', 'signalr-6', 'signalr-6-msgpack'),
  load('@microsoft/signalr 8', 'signalr-8', 'signalr-8-msgpack'),
  // 11 has no MessagePack package of its own yet; the newest one (10) is the root's and serves 11.
  load('@microsoft/signalr 11', 'signalr-11', '@microsoft/signalr-protocol-msgpack'),
];

export function buildOlder(client: OlderClient, url: string, transport: 'WebSockets' | 'ServerSentEvents' | 'LongPolling', protocol: 'json' | 'messagepack', skipNegotiation = false): OlderHubConnection {
  const { HubConnectionBuilder, HttpTransportType, LogLevel } = client.module;
  let builder = new HubConnectionBuilder().withUrl(url, { transport: HttpTransportType[transport], skipNegotiation }).configureLogging(LogLevel.None);
  if (protocol === 'messagepack') builder = builder.withHubProtocol(new client.messagePack!());
  return builder.build();
}
