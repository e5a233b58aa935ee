import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HubServer } from '../../src/server/hub-server.js';
import type { HubOptions } from '../../src/server/hub-options.js';
import type { HubLogger } from '../../src/logger.js';

/** A logger that keeps what it was told, so tests can assert on it and stay quiet. */
export function memoryLogger(): HubLogger & { entries: { level: string; message: string; data: object }[] } {
  const entries: { level: string; message: string; data: object }[] = [];
  const at = (level: string) => (data: object, message?: string) => {
    entries.push({ level, message: message ?? '', data });
  };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface TestServer {
  readonly hubs: HubServer;
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

/** Starts an HTTP server on a free port with the hubs `configure` maps. */
export async function startHubs(configure: (hubs: HubServer) => void, defaults: HubOptions = {}): Promise<TestServer> {
  const hubs = new HubServer({ logger: memoryLogger(), ...defaults });
  configure(hubs);
  const server = hubs.attach(createServer());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hubs,
    server,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await hubs.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
