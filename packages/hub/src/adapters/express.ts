import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HubServer } from '../server/hub-server.js';

/**
 * Express (or Connect) middleware serving the hubs; other requests continue
 * down the chain. WebSockets bypass middleware, so also call
 * `hubs.attachUpgrades(server)` on the server `app.listen()` returns.
 */
export function expressHubs(hubs: HubServer): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void {
  return (req, res, next) => {
    // Express rewrites req.url under mounted routers; the original URL is what clients addressed.
    const original = (req as IncomingMessage & { originalUrl?: string }).originalUrl;
    if (original && original !== req.url && hubs.isHubUrl(original)) req.url = original;
    if (!hubs.handleRequest(req, res)) next();
  };
}
