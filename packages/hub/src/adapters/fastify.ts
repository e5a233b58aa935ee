import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { HubServer } from '../server/hub-server.js';

/** The parts of a Fastify instance the adapter uses (kept structural: no hard dependency on fastify). */
export interface FastifyInstanceLike {
  readonly server: Server;
  route(options: {
    method: string[];
    url: string;
    onRequest: (request: { raw: IncomingMessage }, reply: { raw: ServerResponse; hijack(): void }) => Promise<void>;
    handler: () => Promise<void>;
  }): unknown;
}

/**
 * Serves the hubs from a Fastify app: a route per hub path and its negotiate
 * endpoint, hijacked before body parsing so the hub reads raw bytes, plus the
 * WebSocket upgrades on Fastify's HTTP server.
 *
 * ```ts
 * const app = Fastify();
 * fastifyHubs(app, hubs);
 * ```
 */
export function fastifyHubs(app: FastifyInstanceLike, hubs: HubServer): void {
  for (const path of hubs.paths) {
    for (const url of [path, `${path === '/' ? '' : path}/negotiate`]) {
      app.route({
        method: ['GET', 'POST', 'DELETE', 'OPTIONS'],
        url,
        onRequest: async (request, reply) => {
          reply.hijack();
          hubs.handleRequest(request.raw, reply.raw);
        },
        handler: async () => {},
      });
    }
  }
  hubs.attachUpgrades(app.server);
}
