import type { HubLifetimeManager, InvokeOptions } from '../lifetime/lifetime-manager.js';
import { MessageType } from '../protocol/messages.js';
import { SerializedMessage } from '../protocol/serialized-message.js';

/**
 * The events a hub sends to its clients: an interface (or type) whose methods
 * are the client handlers. `send` is checked against it:
 *
 * ```ts
 * interface ProgressEvents { JobProgressUpdate(update: JobProgress): void }
 * clients.group('job-1').send('JobProgressUpdate', update);
 * ```
 *
 * Any object type is accepted (an interface has no index signature); only its
 * function-valued members count as methods.
 */
export type ClientMethods = object;

/** Used when a hub does not declare its client contract: any method, any arguments. */
export type UntypedClient = { [method: string]: (...args: unknown[]) => unknown };

export type MethodName<T> = Extract<{ [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T], string>;
export type MethodArgs<T, K extends keyof T> = T[K] extends (...args: infer A) => unknown ? A : never;
export type MethodResult<T, K extends keyof T> = T[K] extends (...args: never[]) => infer R ? Awaited<R> : never;

/** Some set of connections that can be sent to. */
export interface ClientProxy<T extends ClientMethods = UntypedClient> {
  send<K extends MethodName<T>>(method: K, ...args: MethodArgs<T, K>): Promise<void>;
}

/** One connection: it can also be asked for a result (a client result). */
export interface SingleClientProxy<T extends ClientMethods = UntypedClient> extends ClientProxy<T> {
  /** Invokes a client handler and resolves with what it returns. */
  invoke<K extends MethodName<T>>(method: K, ...args: MethodArgs<T, K>): Promise<MethodResult<T, K>>;
  /** `invoke` with a timeout or an AbortSignal. */
  invokeWithOptions<K extends MethodName<T>>(
    options: InvokeOptions,
    method: K,
    ...args: MethodArgs<T, K>
  ): Promise<MethodResult<T, K>>;
}

/** Addresses connections from anywhere (a service, a job processor). */
export interface HubClients<T extends ClientMethods = UntypedClient> {
  readonly all: ClientProxy<T>;
  allExcept(excludedConnectionIds: readonly string[]): ClientProxy<T>;
  client(connectionId: string): SingleClientProxy<T>;
  clients(connectionIds: readonly string[]): ClientProxy<T>;
  group(groupName: string): ClientProxy<T>;
  groups(groupNames: readonly string[]): ClientProxy<T>;
  groupExcept(groupName: string, excludedConnectionIds: readonly string[]): ClientProxy<T>;
  user(userId: string): ClientProxy<T>;
  users(userIds: readonly string[]): ClientProxy<T>;
}

/** Inside a hub method: also the caller and everyone but the caller. */
export interface HubCallerClients<T extends ClientMethods = UntypedClient> extends HubClients<T> {
  readonly caller: SingleClientProxy<T>;
  readonly others: ClientProxy<T>;
  othersInGroup(groupName: string): ClientProxy<T>;
}

export interface GroupManager {
  addToGroup(connectionId: string, groupName: string): Promise<void>;
  removeFromGroup(connectionId: string, groupName: string): Promise<void>;
}

function invocation(method: string, args: readonly unknown[]): SerializedMessage {
  return new SerializedMessage({ type: MessageType.Invocation, target: method, arguments: args });
}

type Deliver = (manager: HubLifetimeManager, message: SerializedMessage) => Promise<void>;

class Proxy<T extends ClientMethods> implements ClientProxy<T> {
  constructor(
    protected readonly manager: HubLifetimeManager,
    private readonly deliver: Deliver,
  ) {}

  send<K extends MethodName<T>>(method: K, ...args: MethodArgs<T, K>): Promise<void> {
    return this.deliver(this.manager, invocation(method, args));
  }
}

class SingleProxy<T extends ClientMethods> implements SingleClientProxy<T> {
  constructor(
    private readonly manager: HubLifetimeManager,
    private readonly connectionId: string,
  ) {}

  send<K extends MethodName<T>>(method: K, ...args: MethodArgs<T, K>): Promise<void> {
    return this.manager.sendConnection(this.connectionId, invocation(method, args));
  }

  invoke<K extends MethodName<T>>(method: K, ...args: MethodArgs<T, K>): Promise<MethodResult<T, K>> {
    return this.manager.invokeConnection(this.connectionId, method, args, {}) as Promise<MethodResult<T, K>>;
  }

  invokeWithOptions<K extends MethodName<T>>(
    options: InvokeOptions,
    method: K,
    ...args: MethodArgs<T, K>
  ): Promise<MethodResult<T, K>> {
    return this.manager.invokeConnection(this.connectionId, method, args, options) as Promise<MethodResult<T, K>>;
  }
}

export class DefaultHubClients<T extends ClientMethods> implements HubClients<T> {
  readonly all: ClientProxy<T>;

  constructor(protected readonly manager: HubLifetimeManager) {
    this.all = new Proxy<T>(manager, (m, msg) => m.sendAll(msg));
  }

  allExcept(excluded: readonly string[]): ClientProxy<T> {
    return new Proxy<T>(this.manager, (m, msg) => m.sendAll(msg, excluded));
  }

  client(connectionId: string): SingleClientProxy<T> {
    return new SingleProxy<T>(this.manager, connectionId);
  }

  clients(connectionIds: readonly string[]): ClientProxy<T> {
    return new Proxy<T>(this.manager, (m, msg) => m.sendConnections(connectionIds, msg));
  }

  group(groupName: string): ClientProxy<T> {
    return new Proxy<T>(this.manager, (m, msg) => m.sendGroup(groupName, msg));
  }

  groups(groupNames: readonly string[]): ClientProxy<T> {
    return new Proxy<T>(this.manager, (m, msg) => m.sendGroups(groupNames, msg));
  }

  groupExcept(groupName: string, excluded: readonly string[]): ClientProxy<T> {
    return new Proxy<T>(this.manager, (m, msg) => m.sendGroup(groupName, msg, excluded));
  }

  user(userId: string): ClientProxy<T> {
    return new Proxy<T>(this.manager, (m, msg) => m.sendUser(userId, msg));
  }

  users(userIds: readonly string[]): ClientProxy<T> {
    return new Proxy<T>(this.manager, (m, msg) => m.sendUsers(userIds, msg));
  }
}

export class DefaultHubCallerClients<T extends ClientMethods> extends DefaultHubClients<T> implements HubCallerClients<T> {
  readonly caller: SingleClientProxy<T>;
  readonly others: ClientProxy<T>;
  private readonly excludeCaller: readonly string[];

  constructor(manager: HubLifetimeManager, callerId: string) {
    super(manager);
    this.excludeCaller = [callerId];
    this.caller = new SingleProxy<T>(manager, callerId);
    this.others = new Proxy<T>(manager, (m, msg) => m.sendAll(msg, this.excludeCaller));
  }

  othersInGroup(groupName: string): ClientProxy<T> {
    return new Proxy<T>(this.manager, (m, msg) => m.sendGroup(groupName, msg, this.excludeCaller));
  }
}

export class DefaultGroupManager implements GroupManager {
  constructor(private readonly manager: HubLifetimeManager) {}

  addToGroup(connectionId: string, groupName: string): Promise<void> {
    return this.manager.addToGroup(connectionId, groupName);
  }

  removeFromGroup(connectionId: string, groupName: string): Promise<void> {
    return this.manager.removeFromGroup(connectionId, groupName);
  }
}
