import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClientMethods, UntypedClient } from '../hub/clients.js';
import { HubConnectionContext } from '../hub/hub-connection-context.js';
import { type HubContext, createHubContext } from '../hub/hub-context.js';
import type { HubDefinition } from '../hub/hub-definition.js';
import { HubDispatcher } from '../hub/hub-dispatcher.js';
import type { HubRuntime } from '../hub/hub-runtime.js';
import type { HubLifetimeManager } from '../lifetime/lifetime-manager.js';
import { MemoryHubLifetimeManager } from '../lifetime/memory-lifetime-manager.js';
import { ConnectionEndpoint } from './connection-endpoint.js';
import type { HubOptions, ResolvedHubOptions } from './hub-options.js';
import { resolveHubOptions } from './resolve-options.js';

/** A class hub is known by its class name (as ASP.NET names its hub type); an object hub by its path. */
function hubName(definition: HubDefinition, path: string): string {
  if (definition.kind !== 'class') return path;
  const name = (definition.prototype.constructor as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : path;
}

/**
 * One hub mapped at a path: the hub protocol as a consumer of the connection
 * layer (ConnectionEndpoint), which raw connection handlers share.
 */
export class HubEndpoint<TClient extends ClientMethods = UntypedClient> {
  readonly options: ResolvedHubOptions;
  readonly lifetimeManager: HubLifetimeManager;
  /** Sends to this hub's clients from anywhere in the process. */
  readonly context: HubContext<TClient>;
  /** Negotiate and the transports this hub's connections arrive on. */
  readonly connections: ConnectionEndpoint;
  private readonly runtime: HubRuntime;

  constructor(
    readonly path: string,
    definition: HubDefinition,
    options: HubOptions,
  ) {
    this.options = resolveHubOptions(options);
    this.lifetimeManager = options.lifetimeManager ?? new MemoryHubLifetimeManager();
    const name = hubName(definition, path);
    const dispatcher = new HubDispatcher(
      definition,
      {
        detailedErrors: this.options.detailedErrors,
        maximumParallelInvocationsPerClient: this.options.maximumParallelInvocationsPerClient,
        filters: this.options.filters,
        activator: this.options.activator,
      },
      this.lifetimeManager,
      this.options.logger,
      name,
    );
    this.context = createHubContext<TClient>(this.lifetimeManager);
    let runtime: HubRuntime | undefined;
    this.connections = new ConnectionEndpoint(path, this.options, {
      createHandler: (connection) => new HubConnectionContext(connection, connection.user, runtime!),
      // Hub messages are capped by maxReceiveMessageSize once parsed; a WebSocket
      // message may carry many of them, so the frame cap is more generous.
      maxFrameBytes: Math.max(this.options.maxReceiveMessageSize * 64, 1024 * 1024),
      serviceName: name,
    });
    const meter = this.connections.meter;
    const lifetimeManager = this.lifetimeManager;
    meter?.watchGroups(() => lifetimeManager.localGroupMemberships);
    dispatcher.meter = meter;
    runtime = { path, name, options: this.options, lifetimeManager, dispatcher, meter };
    this.runtime = runtime;
  }

  /** Connections currently open on this node. */
  get connectionCount(): number {
    return this.connections.connectionCount;
  }

  /** Names clients can invoke. */
  get methodNames(): string[] {
    return this.runtime.dispatcher.methodNames;
  }

  /** Serves `{path}` and `{path}/negotiate`; `negotiate` tells which. */
  handleRequest(req: IncomingMessage, res: ServerResponse, negotiate: boolean): void {
    this.connections.handleRequest(req, res, negotiate);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.connections.handleUpgrade(req, socket, head);
  }

  /**
   * Stops accepting connections and closes the open ones with a Close message
   * that invites clients with automatic reconnect to come back (to another node,
   * or to this one after a restart).
   */
  async close(): Promise<void> {
    await this.connections.close();
    await this.lifetimeManager.dispose?.();
  }
}
