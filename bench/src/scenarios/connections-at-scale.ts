import type { ClientKind, ClientCommands } from '../client/client-worker.js';
import { BENCH_JOB_ID } from '../contract.js';
import { Worker } from '../rpc.js';
import type { ServerCommands } from '../server/server-worker.js';
import type { SystemName } from '../server/system.js';
import { fanoutResult, measureFanout } from './fanout.js';
import { reachableFdLimit } from './fd-limit.js';
import { type Scenario, type ScenarioResult, emptyFigures } from './scenario.js';
import type { SystemSession } from './system-session.js';

const SERVER_ENTRY = new URL('../server/server-worker.ts', import.meta.url);
const CLIENT_ENTRY = new URL('../client/client-worker.ts', import.meta.url);

export const SCALE_MEMORY_NAME = 'Idle connections at scale';
export const SCALE_FANOUT_NAME = 'Group fan-out at scale';

const TARGETS: readonly { system: SystemName; client: ClientKind }[] = [
  { system: 'tidings', client: 'tidings-json' },
  // The limit line's server: its connections cost what the plain ws server's do.
  { system: 'ws-batched', client: 'ws-batched' },
];

/** Descriptors a process needs besides its sockets (modules, pipes, the event loop). */
const FD_HEADROOM = 1000;
/** The job the idle connections subscribe to: its group gets nothing. */
const IDLE_JOB_ID = 'idle';
const KB = 1024;

/**
 * `connections` idle, subscribed WebSocket connections on one server process,
 * the clients spread over as many client processes as their descriptor limits
 * need and over loopback source addresses 127.0.0.2 up (each has its own
 * ephemeral ports); then a fan-out to a group of `members` of them. Every
 * process raises its own descriptor limit (`ulimit -n`); where the hard limit
 * is lower than the connections need, the run is as large as it allows and
 * the row says so.
 */
export const connectionsAtScale: Scenario = {
  id: 'c100k',
  name: 'Connections at scale',
  async run({ config, log, wants }) {
    const sizes = config.c100k;
    const wanted = sizes.connections + FD_HEADROOM;
    const { limit, hardLimited } = reachableFdLimit(wanted);
    const connections = Math.min(sizes.connections, limit - FD_HEADROOM);
    const perClientProcess = limit - FD_HEADROOM;
    const note = hardLimited
      ? `${connections.toLocaleString('en-US')} of ${sizes.connections.toLocaleString('en-US')} connections: the hard file-descriptor limit here is ${limit}`
      : `${connections.toLocaleString('en-US')} connections`;
    if (hardLimited) log(`  ${note}`);
    const sources = Array.from({ length: sizes.sourceAddresses }, (_, i) => `127.0.0.${i + 2}`);
    const results: ScenarioResult[] = [];
    for (const { system, client } of TARGETS.filter((t) => wants(t.system))) {
      const server = Worker.start<ServerCommands>(`${system} server`, SERVER_ENTRY, ['--expose-gc'], limit);
      const clientProcesses = Array.from({ length: Math.ceil(connections / perClientProcess) }, (_, i) =>
        Worker.start<ClientCommands>(`${system} clients ${i + 1}`, CLIENT_ENTRY, [], limit),
      );
      try {
        const { port } = await server.call('start', { system });
        const members = clientProcesses[0]!;
        const connect = (worker: Worker<ClientCommands>, jobId: string, count: number) =>
          count > 0 ? worker.call('connect', { kind: client, port, jobId, count, localAddresses: sources }) : Promise.resolve();
        await connect(members, IDLE_JOB_ID, sizes.warmupConnections);
        const before = await server.call('memory', null);
        const openedAt = performance.now();
        // The group's members first, in the first client process; the rest idle, spread over all of them.
        let left = connections - sizes.warmupConnections;
        const memberCount = Math.min(sizes.members, left);
        await connect(members, BENCH_JOB_ID, memberCount);
        left -= memberCount;
        let room = perClientProcess - sizes.warmupConnections - memberCount;
        for (const worker of clientProcesses) {
          const count = Math.min(left, room);
          await connect(worker, IDLE_JOB_ID, count);
          left -= count;
          room = perClientProcess;
        }
        const seconds = (performance.now() - openedAt) / 1000;
        const after = await server.call('memory', null);
        const measured = connections - sizes.warmupConnections;
        const rssPerConnKB = round1((after.rss - before.rss) / measured / KB);
        const heapPerConnKB = round1((after.heapUsed - before.heapUsed) / measured / KB);
        log(`  ${system}: ${connections.toLocaleString('en-US')} connections opened in ${seconds.toFixed(1)} s; ${rssPerConnKB} KB RSS, ${heapPerConnKB} KB heap per connection`);
        results.push({ name: SCALE_MEMORY_NAME, system, clients: connections, messages: 0, ...emptyFigures(), rssPerConnKB, heapPerConnKB, note });

        const session: SystemSession = { server, port, nodes: [{ server, port }], clients: members };
        const fanout = { clients: memberCount, messages: sizes.messages, burst: sizes.burst, warmupMessages: sizes.messages, repetitions: 3 };
        const rounds = await measureFanout(session, fanout, config.roundTimeoutMs);
        const group = `a ${memberCount.toLocaleString('en-US')}-member group among ${note}`;
        results.push(fanoutResult({ name: SCALE_FANOUT_NAME, system, client, sizes: fanout, rounds, log, serverLabel: 'server', note: group }));
      } finally {
        // The server goes first, so lingering TCP state stays on its one-off port.
        await server.stop();
        await Promise.all(clientProcesses.map((worker) => worker.stop()));
      }
    }
    return results;
  },
};

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
