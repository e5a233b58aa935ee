import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClientMethods, UntypedClient } from '../hub/clients.js';
import type { HubClass, HubObject } from '../hub/hub.js';
import type { HubContext } from '../hub/hub-context.js';
import { HubDefinition } from '../hub/hub-definition.js';
import { HubEndpoint } from './hub-endpoint.js';
import type { HubOptions } from './hub-options.js';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

function normalizePath(path: string): string {
  if (!path.startsWith('/')) path = `/${path}`;
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
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
  private readonly endpoints = new Map<string, HubEndpoint<ClientMethods>>();

  constructor(private readonly defaults: HubOptions = {}) {}

  /** Maps a hub (a Hub subclass or an object of methods) at `path`. */
  mapHub<TClient extends ClientMethods = UntypedClient>(path: string, hub: HubClass | HubObject, options: HubOptions = {}): HubEndpoint<TClient> {
    const normalized = normalizePath(path);
    if (this.endpoints.has(normalized)) throw new Error(`A hub is already mapped at '${normalized}'.`);
    const definition = typeof hub === 'function' ? HubDefinition.fromClass(hub as HubClass) : HubDefinition.fromObject(hub);
    const endpoint = new HubEndpoint<TClient>(normalized, definition, { ...this.defaults, ...options });
    this.endpoints.set(normalized, endpoint as unknown as HubEndpoint<ClientMethods>);
    return endpoint;
  }

  /** The hub mapped at `path`, to send to its clients from outside the hub. */
  hubContext<TClient extends ClientMethods = UntypedClient>(path: string): HubContext<TClient> {
    const endpoint = this.endpoints.get(normalizePath(path));
    if (!endpoint) throw new Error(`No hub is mapped at '${path}'.`);
    return endpoint.context as unknown as HubContext<TClient>;
  }

  endpoint(path: string): HubEndpoint<ClientMethods> | undefined {
    return this.endpoints.get(normalizePath(path));
  }

  get paths(): string[] {
    return [...this.endpoints.keys()];
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
    await Promise.all([...this.endpoints.values()].map((e) => e.close()));
  }

  private match(url: string | undefined): { endpoint: HubEndpoint<ClientMethods>; negotiate: boolean } | undefined {
    if (!url) return undefined;
    const q = url.indexOf('?');
    let path = q === -1 ? url : url.slice(0, q);
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const direct = this.endpoints.get(path);
    if (direct) return { endpoint: direct, negotiate: false };
    if (path.endsWith('/negotiate')) {
      const endpoint = this.endpoints.get(path.slice(0, -'/negotiate'.length) || '/');
      if (endpoint) return { endpoint, negotiate: true };
    }
    return undefined;
  }
}
