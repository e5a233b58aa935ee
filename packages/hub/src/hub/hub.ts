import type { RequestInfo } from '../connection/request-info.js';
import type { TransportName } from '../transports/transport.js';
import type { ClientMethods, GroupManager, HubCallerClients, UntypedClient } from './clients.js';
import type { HubMethodOptions } from './hub-method.js';
import type { HubUser } from './user.js';

/** Who is calling, over what, and state kept for the life of their connection. */
export interface HubCallerContext {
  readonly connectionId: string;
  readonly user: HubUser | undefined;
  /** The id `clients.user(id)` reaches this connection by. */
  readonly userIdentifier: string | undefined;
  /** The HTTP request that opened the connection: path, query, headers, cookies. */
  readonly request: RequestInfo;
  readonly transport: TransportName;
  /** Per-connection state that lives as long as the connection. */
  readonly items: Map<string, unknown>;
  /** Fires when the connection ends. */
  readonly connectionAborted: AbortSignal;
  /** Closes the connection. */
  abort(): void;
}

/**
 * Base class of class-style hubs. A fresh instance serves each invocation (as in
 * ASP.NET Core), with `context`, `clients`, `groups` and `signal` set; keep
 * long-lived state in services or in `context.items`.
 *
 * Clients can invoke only the methods declared callable: `@hubMethod()` (or
 * `@hubMethod('WireName')`) on the method, or a key of `static hubMethods`. Other
 * methods, public or `private`, are helpers clients cannot reach. Names match
 * case-insensitively.
 */
export abstract class Hub<TClient extends ClientMethods = UntypedClient> {
  declare context: HubCallerContext;
  declare clients: HubCallerClients<TClient>;
  declare groups: GroupManager;
  /** Aborted when the client cancels this invocation or its connection ends. */
  declare signal: AbortSignal;

  /** Declares methods callable (with their wire options), for code without decorators. */
  static hubMethods?: Readonly<Record<string, HubMethodOptions>>;

  onConnected?(): void | Promise<void>;
  onDisconnected?(error: Error | undefined): void | Promise<void>;
}

/** What the runtime sets on a hub instance (class or object style) before calling it. */
export interface HubInvocationScope<TClient extends ClientMethods = UntypedClient> {
  context: HubCallerContext;
  clients: HubCallerClients<TClient>;
  groups: GroupManager;
  signal: AbortSignal;
}

/**
 * An object-style hub: plain methods whose `this` is the invocation scope.
 *
 * ```ts
 * const chat: HubObject = { send(this: HubInvocationScope, text: string) { … } };
 * ```
 */
export type HubObject = object & {
  onConnected?(this: HubInvocationScope): void | Promise<void>;
  onDisconnected?(this: HubInvocationScope, error: Error | undefined): void | Promise<void>;
};

export type HubClass = abstract new (...args: never[]) => object;
