import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClientMethods, UntypedClient } from '../hub/clients.js';
import type { HubClass, HubObject } from '../hub/hub.js';
import type { HubContext } from '../hub/hub-context.js';
import { HubDefinition } from '../hub/hub-definition.js';
import { type ConnectionHandlerFunction, RawConnectionHandler } from '../connection/raw-connection-handler.js';
import { ConnectionEndpoint } from './connection-endpoint.js';
import { HubEndpoint } from './hub-endpoint.js';
import type { ConnectionOptions, HubOptions } from './hub-options.js';
import { resolveHubOptions } from './resolve-options.js';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

function normalizePath(path: string): string {
  if (!path.startsWith('/')) path = `/${path}`;
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Routing ignores case, as ASP.NET's does: `/TestHub` reaches a hub mapped at `/testhub`. */
function routeKey(path: string): string {
  return normalizePath(path).toLowerCase();
}

interface Route {
  readonly connections: ConnectionEndpoint;
  readonly hub: HubEndpoint<ClientMethods> | undefined;
}

/**
 * Hosts hubs on Node's HTTP server. Map hubs, then `attach` to an
 * `http.Server` (or route requests yourself with `handleRequest` /
 * `handleUpgrade`, as the Express and Fastify adapters do).
 *
 * ```ts
 * const hubs = new HubServer();
 * hubs.mapHub('/hubs/chat', ChatHub);
 * hubs.attach(http.createServer(app)).listen(5000);
 * ```
 */
export class HubServer {
  private readonly routes = new Map<string, Route>();

  constructor(private readonly defaults: HubOptions = {}) {}

  /** Maps a hub (a Hub subclass or an object of methods) at `path`. */
  mapHub<TClient extends ClientMethods = UntypedClient>(path: string, hub: HubClass | HubObject, options: HubOptions = {}): HubEndpoint<TClient> {
    const normalized = this.claim(path);
    const definition = typeof hub === 'function' ? HubDefinition.fromClass(hub as HubClass) : HubDefinition.fromObject(hub);
    const endpoint = new HubEndpoint<TClient>(normalized, definition, { ...this.defaults, ...options });
    const untyped = endpoint as unknown as HubEndpoint<ClientMethods>;
    this.routes.set(routeKey(normalized), { connections: endpoint.connections, hub: untyped });
    return endpoint;
  }

  /**
   * Maps a raw connection handler at `path` (ASP.NET's `MapConnectionHandler`):
   * the same negotiate, transports, authentication, CORS and limits as a hub,
   * but the handler reads and writes bytes with no hub protocol.
   *
   * ```ts
   * hubs.mapConnectionHandler('/echo', async (connection) => {
   *   for await (const data of connection) connection.send(data);
   * });
   * ```
   */
  mapConnectionHandler(path: string, handler: ConnectionHandlerFunction, options: ConnectionOptions = {}): ConnectionEndpoint {
    const normalized = this.claim(path);
    // Stateful reconnect replays hub messages; raw bytes have no sequence to resume from.
    const resolved = resolveHubOptions({ ...this.defaults, ...options, allowStatefulReconnects: false });
    const maxFrameBytes = resolved.maxReceiveMessageSize;
    const endpoint = new ConnectionEndpoint(normalized, resolved, {
      createHandler: (connection) =>
        new RawConnectionHandler(connection, handler, resolved.maxBufferedBytes, resolved.logger, {
          intervalMs: resolved.keepAliveIntervalMs,
          timeoutMs: resolved.clientTimeoutMs,
        }),
      maxFrameBytes,
      serviceName: normalized,
    });
    this.routes.set(routeKey(normalized), { connections: endpoint, hub: undefined });
    return endpoint;
  }

  /** The hub mapped at `path`, to send to its clients from outside the hub. */
  hubContext<TClient extends ClientMethods = UntypedClient>(path: string): HubContext<TClient> {
    const endpoint = this.endpoint(path);
    if (!endpoint) throw new Error(`No hub is mapped at '${path}'.`);
    return endpoint.context as unknown as HubContext<TClient>;
  }

  endpoint(path: string): HubEndpoint<ClientMethods> | undefined {
    return this.routes.get(routeKey(path))?.hub;
  }

  /** The connection layer serving `path` (a hub's or a connection handler's), matched ignoring case. */
  connectionEndpoint(path: string): ConnectionEndpoint | undefined {
    return this.routes.get(routeKey(path))?.connections;
  }

  /** Mapped paths (hubs and connection handlers), each as it was mapped. */
  get paths(): string[] {
    return [...this.routes.values()].map((route) => route.connections.path);
  }

  /** Serves the request if it is for a hub; returns false otherwise. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const match = this.match(req.url);
    if (!match) return false;
    match.endpoint.handleRequest(req, res, match.negotiate);
    return true;
  }

  /** Takes a WebSocket upgrade if it is for a hub; returns false otherwise. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const match = this.match(req.url);
    if (!match || match.negotiate) return false;
    match.endpoint.handleUpgrade(req, socket, head);
    return true;
  }

  /**
   * Puts the hubs in front of `server`'s existing request handler: hub paths are
   * served here, everything else goes to the handlers it already had.
   */
  attach<S extends Server>(server: S): S {
    const previous = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.handleRequest(req, res)) return;
      if (previous.length === 0) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Not Found');
        return;
      }
      for (const listener of previous) listener.call(server, req, res);
    });
    return this.attachUpgrades(server);
  }

  /**
   * Takes WebSocket upgrades for hub paths on `server`, leaving other upgrades
   * to the listeners it already had (for frameworks that route HTTP themselves).
   */
  attachUpgrades<S extends Server>(server: S): S {
    const previousUpgrade = server.listeners('upgrade') as UpgradeListener[];
    server.removeAllListeners('upgrade');
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.handleUpgrade(req, socket, head)) return;
      if (previousUpgrade.length === 0) socket.destroy();
      for (const listener of previousUpgrade) listener.call(server, req, socket, head);
    });
    return server;
  }

  /** Whether `url` addresses a mapped hub (or its negotiate endpoint). */
  isHubUrl(url: string | undefined): boolean {
    return this.match(url) !== undefined;
  }

  /** Closes every connection (telling clients they may reconnect) and stops the hubs. */
  async close(): Promise<void> {
    await Promise.all([...this.routes.values()].map((route) => (route.hub ? route.hub.close() : route.connections.close())));
  }

  private claim(path: string): string {
    const normalized = normalizePath(path);
    const existing = this.routes.get(routeKey(normalized));
    if (existing) throw new Error(`'${existing.connections.path}' is already mapped; '${normalized}' differs only in case or not at all.`);
    return normalized;
  }

  private match(url: string | undefined): { endpoint: ConnectionEndpoint; negotiate: boolean } | undefined {
    if (!url) return undefined;
    const q = url.indexOf('?');
    let path = (q === -1 ? url : url.slice(0, q)).toLowerCase();
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const direct = this.routes.get(path);
    if (direct) return { endpoint: direct.connections, negotiate: false };
    if (path.endsWith('/negotiate')) {
      const route = this.routes.get(path.slice(0, -'/negotiate'.length) || '/');
      if (route) return { endpoint: route.connections, negotiate: true };
    }
    return undefined;
  }
}
