import type { RequestInfo } from '../connection/request-info.js';
import type { HubFilter } from '../hub/filters.js';
import type { HubUser } from '../hub/user.js';
import type { HubLifetimeManager } from '../lifetime/lifetime-manager.js';
import type { HubLogger } from '../logger.js';
import type { HubMetrics } from '../metrics/hub-metrics.js';
import type { HubProtocol } from '../protocol/hub-protocol.js';
import type { TransportName } from '../transports/transport.js';

/**
 * Resolves the user of a request, or `null` when it carries no valid credentials.
 * Throwing (or returning null when authentication is required) answers 401.
 */
export type Authenticator = (request: RequestInfo, token: string | undefined) => HubUser | null | Promise<HubUser | null>;

export interface CorsOptions {
  /** Allowed origins: a list, `'*'` for any, or a predicate. */
  readonly origins: readonly string[] | '*' | ((origin: string) => boolean);
  /** Send `Access-Control-Allow-Credentials: true` (default true: SignalR clients send credentials). */
  readonly credentials?: boolean;
  /** Preflight cache lifetime in seconds. */
  readonly maxAgeSeconds?: number;
}

/** Response headers negotiate sends with its answer, e.g. `{ 'Set-Cookie': 'affinity=node-a; Path=/' }`. */
export type NegotiateHeaders = Readonly<Record<string, string | readonly string[]>>;

/**
 * What negotiate may answer instead of a connection (TransportProtocols.md, "All
 * versions"), and headers to set on whatever it answers (cookies for sticky sessions).
 */
export type NegotiateDecision =
  | { readonly redirect: string; readonly accessToken?: string; readonly headers?: NegotiateHeaders }
  | { readonly error: string; readonly headers?: NegotiateHeaders }
  | { readonly headers: NegotiateHeaders }
  | undefined;

/**
 * Options of the connection layer, shared by hubs and raw connection handlers
 * (`mapConnectionHandler`).
 */
export interface ConnectionOptions {
  /** Transports offered at negotiate and accepted on connect. Default: all three. */
  readonly transports?: readonly TransportName[];
  /**
   * Largest single message a client may send, in bytes. Default 32 KB; larger closes that connection.
   * A raw connection handler applies it to each WebSocket message.
   */
  readonly maxReceiveMessageSize?: number;
  readonly cors?: CorsOptions;
  /** Reads the bearer token (header or `access_token` query) and yields the user. */
  readonly authenticate?: Authenticator;
  /** Refuse anonymous connections with 401. Default: true when `authenticate` is set. */
  readonly requireAuthentication?: boolean;
  /**
   * Failed authentications one client IP may make per `failedAuthenticationWindowMs`;
   * past it, negotiate and connect answer 429 with `Retry-After`. Default 20; `Infinity` turns it off.
   */
  readonly maxFailedAuthenticationsPerIp?: number;
  /** The window failed authentications are counted over. Default 60 s. */
  readonly failedAuthenticationWindowMs?: number;
  /** An idle long poll is answered empty after this long. Default 90 s. */
  readonly longPollTimeoutMs?: number;
  /** A connection with no transport (between polls, or never connected) is dropped after this long. Default 15 s. */
  readonly disconnectTimeoutMs?: number;
  /**
   * A connection whose unsent output exceeds this is closed as too slow. Default 16 MiB.
   * A raw connection handler may also leave this much received data unread.
   */
  readonly maxBufferedBytes?: number;
  /**
   * A Ping goes out when nothing else was sent for this long. Default 15 s.
   * A raw connection's WebSocket gets a ping frame this often.
   */
  readonly keepAliveIntervalMs?: number;
  /**
   * A client silent for this long is dropped. Default 30 s.
   * For a raw connection's WebSocket: one that answers no ping frame for this long.
   */
  readonly clientTimeoutMs?: number;
  /** Negotiate answers an error once this many connections are open. Default unlimited. */
  readonly maxConnections?: number;
  /** Decide a negotiate request: redirect the client elsewhere or refuse it. */
  readonly onNegotiate?: (request: RequestInfo) => NegotiateDecision | Promise<NegotiateDecision>;
  readonly logger?: HubLogger;
  /**
   * Prometheus series for this hub (labelled with its path), on a registry you own. Without
   * it nothing is measured. Give one `HubMetrics` to every hub (a `HubServer` default does).
   */
  readonly metrics?: HubMetrics;
}

export interface HubOptions extends ConnectionOptions {
  /** Hub protocols accepted in the handshake. Default: JSON and MessagePack. */
  readonly protocols?: readonly HubProtocol[];
  /**
   * Deepest nesting of arrays and objects in a client message (the message itself is level 1).
   * Default 64, as ASP.NET Core reads JSON; deeper closes that connection.
   */
  readonly maxMessageDepth?: number;
  /** Time allowed for the handshake after the transport connects. Default 15 s. */
  readonly handshakeTimeoutMs?: number;
  /** Send exception messages to clients (development only). Default false. */
  readonly detailedErrors?: boolean;
  /** Who receives sends; defaults to this process only. */
  readonly lifetimeManager?: HubLifetimeManager;
  readonly filters?: readonly HubFilter[];
  /** Creates the hub instance for each invocation of a class hub (for constructor dependencies). */
  readonly activator?: () => object;
  /** Invocations of one client run one at a time unless raised. Default 1. */
  readonly maximumParallelInvocationsPerClient?: number;
  /** Offer stateful reconnect to clients that ask for it. Default true. */
  readonly allowStatefulReconnects?: boolean;
  /** Bytes of unacknowledged messages kept for replay per connection. Default 100 000. */
  readonly statefulReconnectBufferSize?: number;
  /**
   * Bytes sent to a stateful-reconnect client and not yet acknowledged, at most. Past
   * `statefulReconnectBufferSize` invocations and streams wait for the client's Ack; sends
   * that cannot wait (groups, hub contexts) close the connection past this (one message larger than
   * this alone still goes out). Default 1 MiB.
   */
  readonly maxUnacknowledgedBytes?: number;
  /** How long a dropped stateful connection waits for its client to come back. Default 30 s. */
  readonly statefulReconnectWindowMs?: number;
  /** Default timeout of client results. Default 30 s. */
  readonly clientResultTimeoutMs?: number;
  /** Server-to-client streams pause while a connection has this much unsent output. Default 256 KiB. */
  readonly streamHighWaterMark?: number;
  /** Groups one connection may be in at once; joining another fails with a HubException. Default 100. */
  readonly maxGroupsPerConnection?: number;
  /** Longest group name (in UTF-16 code units) a connection may join. Default 1024. */
  readonly maxGroupNameLength?: number;
}

export type ResolvedHubOptions = Required<
  Omit<HubOptions, 'cors' | 'authenticate' | 'lifetimeManager' | 'activator' | 'onNegotiate' | 'maxConnections' | 'metrics'>
> &
  Pick<HubOptions, 'cors' | 'authenticate' | 'activator' | 'onNegotiate' | 'maxConnections' | 'metrics'>;
