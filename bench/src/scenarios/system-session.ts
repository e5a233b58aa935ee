import type { ClientCommands } from '../client/client-worker.js';
import { Worker } from '../rpc.js';
import type { ServerCommands } from '../server/server-worker.js';
import type { SystemName } from '../server/system.js';

const SERVER_ENTRY = new URL('../server/server-worker.ts', import.meta.url);
const CLIENT_ENTRY = new URL('../client/client-worker.ts', import.meta.url);

/** A system's server in one process and its clients in another, for the length of one measurement. */
export interface SystemSession {
  readonly server: Worker<ServerCommands>;
  readonly clients: Worker<ClientCommands>;
  readonly port: number;
}

/** Extra Node flags for the workers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them. */
const flagsFrom = (variable: string): string[] => (process.env[variable] ?? '').split(' ').filter(Boolean);
const SERVER_FLAGS = flagsFrom('TIDINGS_BENCH_SERVER_FLAGS');
const CLIENT_FLAGS = flagsFrom('TIDINGS_BENCH_CLIENT_FLAGS');

export async function withSystem<T>(system: SystemName, body: (session: SystemSession) => Promise<T>): Promise<T> {
  const server = Worker.start<ServerCommands>(`${system} server`, SERVER_ENTRY, ['--expose-gc', ...SERVER_FLAGS]);
  const clients = Worker.start<ClientCommands>(`${system} clients`, CLIENT_ENTRY, CLIENT_FLAGS);
  try {
    const { port } = await server.call('start', { system });
    return await body({ server, clients, port });
  } finally {
    // The server goes first, so lingering TCP state stays on its (one-off) port.
    await server.stop();
    await clients.stop();
  }
}

/** CPU time the server and the client process spent during `work`, per delivery. */
export interface CpuPerDelivery {
  readonly serverCpuNsPerDelivery: number;
  readonly clientCpuNsPerDelivery: number;
}

export async function chargeCpu<T>(session: SystemSession, deliveries: number, work: () => Promise<T>): Promise<T & CpuPerDelivery> {
  const cpu = (): Promise<[number, number]> => Promise.all([session.server.call('cpu', null), session.clients.call('cpu', null)]);
  const [serverBefore, clientBefore] = await cpu();
  const result = await work();
  const [serverAfter, clientAfter] = await cpu();
  return {
    ...result,
    serverCpuNsPerDelivery: ((serverAfter - serverBefore) * 1000) / deliveries,
    clientCpuNsPerDelivery: ((clientAfter - clientBefore) * 1000) / deliveries,
  };
}
