import { spawnSync } from 'node:child_process';
import { startRedisServer } from '../../../test-support/redis-server.js';
import type { ClientCommands } from '../client/client-worker.js';
import { Worker } from '../rpc.js';
import type { ServerCommands } from '../server/server-worker.js';
import type { SystemName } from '../server/system.js';

const SERVER_ENTRY = new URL('../server/server-worker.ts', import.meta.url);
const CLIENT_ENTRY = new URL('../client/client-worker.ts', import.meta.url);

/** One server process of a system and the port it serves on. */
export interface ServerNode {
  readonly server: Worker<ServerCommands>;
  readonly port: number;
}

/** A system's server (or its nodes) and its clients in another process, for the length of one measurement. */
export interface SystemSession extends ServerNode {
  /** Every server process, the one above first: more than one when the system runs on its Redis backplane. */
  readonly nodes: readonly ServerNode[];
  readonly clients: Worker<ClientCommands>;
}

/** Extra Node flags for the workers, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them. */
const flagsFrom = (variable: string): string[] => (process.env[variable] ?? '').split(' ').filter(Boolean);
const SERVER_FLAGS = flagsFrom('TIDINGS_BENCH_SERVER_FLAGS');
const CLIENT_FLAGS = flagsFrom('TIDINGS_BENCH_CLIENT_FLAGS');

/** Why a system cannot run on several nodes here, or undefined when it can. */
export function backplaneMissing(): string | undefined {
  return spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0 ? undefined : 'redis-server is not on the PATH';
}

/**
 * Runs `body` against fresh processes of `system`: one server, or `nodes`
 * servers scaled out on a fresh redis-server with the system's own backplane.
 */
export async function withSystem<T>(system: SystemName, body: (session: SystemSession) => Promise<T>, nodes = 1): Promise<T> {
  const redis = nodes > 1 ? await startRedisServer() : undefined;
  const servers = Array.from({ length: nodes }, (_, i) =>
    Worker.start<ServerCommands>(nodes > 1 ? `${system} node ${i + 1}` : `${system} server`, SERVER_ENTRY, ['--expose-gc', ...SERVER_FLAGS]),
  );
  const clients = Worker.start<ClientCommands>(`${system} clients`, CLIENT_ENTRY, CLIENT_FLAGS);
  try {
    const ports = await Promise.all(servers.map(async (server) => (await server.call('start', { system, redisUrl: redis?.url })).port));
    const started = servers.map((server, i) => ({ server, port: ports[i]! }));
    return await body({ ...started[0]!, nodes: started, clients });
  } finally {
    // The servers go first, so lingering TCP state stays on their (one-off) ports.
    await Promise.all(servers.map((server) => server.stop()));
    await clients.stop();
    await redis?.stop();
  }
}

/** CPU time the servers (every node) and the client process spent during `work`, per delivery. */
export interface CpuPerDelivery {
  readonly serverCpuNsPerDelivery: number;
  readonly clientCpuNsPerDelivery: number;
}

export async function chargeCpu<T>(session: SystemSession, deliveries: number, work: () => Promise<T>): Promise<T & CpuPerDelivery> {
  const cpu = async (): Promise<[number, number]> => {
    const [clients, ...servers] = await Promise.all([session.clients.call('cpu', null), ...session.nodes.map(({ server }) => server.call('cpu', null))]);
    return [servers.reduce((sum, micros) => sum + micros, 0), clients!];
  };
  const [serverBefore, clientBefore] = await cpu();
  const result = await work();
  const [serverAfter, clientAfter] = await cpu();
  return {
    ...result,
    serverCpuNsPerDelivery: ((serverAfter - serverBefore) * 1000) / deliveries,
    clientCpuNsPerDelivery: ((clientAfter - clientBefore) * 1000) / deliveries,
  };
}
