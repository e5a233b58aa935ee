import type { HubCallerContext } from './hub.js';

/** One invocation as seen by filters. `arguments` may be replaced to transform input. */
export interface HubInvocationContext {
  /** The hub instance serving this invocation. */
  readonly hub: object;
  readonly context: HubCallerContext;
  /** Wire name of the method, as declared on the hub. */
  readonly methodName: string;
  arguments: unknown[];
  readonly signal: AbortSignal;
}

export interface HubLifetimeContext {
  readonly hub: object;
  readonly context: HubCallerContext;
}

export type InvokeNext = (invocation: HubInvocationContext) => Promise<unknown>;
export type ConnectedNext = (lifetime: HubLifetimeContext) => Promise<void>;
export type DisconnectedNext = (lifetime: HubLifetimeContext, error: Error | undefined) => Promise<void>;

/**
 * Middleware around hub invocations and connection lifetime (ASP.NET Core's
 * IHubFilter): logging, timing, authorization, rate limits, validation. Filters
 * run in the order given, the first outermost; throwing a HubException
 * short-circuits with that message for the client.
 */
export interface HubFilter {
  invokeMethod?(invocation: HubInvocationContext, next: InvokeNext): Promise<unknown>;
  onConnected?(lifetime: HubLifetimeContext, next: ConnectedNext): Promise<void>;
  onDisconnected?(lifetime: HubLifetimeContext, error: Error | undefined, next: DisconnectedNext): Promise<void>;
}

export function composeInvoke(filters: readonly HubFilter[], last: InvokeNext): InvokeNext {
  let next = last;
  for (let i = filters.length - 1; i >= 0; i--) {
    const filter = filters[i]!;
    if (!filter.invokeMethod) continue;
    const inner = next;
    next = (invocation) => filter.invokeMethod!(invocation, inner);
  }
  return next;
}

export function composeConnected(filters: readonly HubFilter[], last: ConnectedNext): ConnectedNext {
  let next = last;
  for (let i = filters.length - 1; i >= 0; i--) {
    const filter = filters[i]!;
    if (!filter.onConnected) continue;
    const inner = next;
    next = (lifetime) => filter.onConnected!(lifetime, inner);
  }
  return next;
}

export function composeDisconnected(filters: readonly HubFilter[], last: DisconnectedNext): DisconnectedNext {
  let next = last;
  for (let i = filters.length - 1; i >= 0; i--) {
    const filter = filters[i]!;
    if (!filter.onDisconnected) continue;
    const inner = next;
    next = (lifetime, error) => filter.onDisconnected!(lifetime, error, inner);
  }
  return next;
}
