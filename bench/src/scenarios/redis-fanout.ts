import { spawnSync } from 'node:child_process';
import { type RedisServer, startRedisServer } from '../../../test-support/redis-server.js';
import type { ClientCommands } from '../client/client-worker.js';
import type { FanoutSizes } from '../config.js';
import { BENCH_JOB_ID, jobGroup } from '../contract.js';
import { Worker } from '../rpc.js';
import type { ServerCommands } from '../server/server-worker.js';
import { type FanoutTarget, type RoundFigures, fanoutResult } from './fanout.js';
import type { Scenario, ScenarioResult } from './scenario.js';

export const FANOUT_REDIS = 'Group fan-out through Redis, 2 nodes';

const SERVER_ENTRY = new URL('../server/server-worker.ts', import.meta.url);
const CLIENT_ENTRY = new URL('../client/client-worker.ts', import.meta.url);

/** Each system on its own Redis backplane, as its documentation scales it out. */
const TARGETS: readonly FanoutTarget[] = [
  { system: 'tidings', client: 'tidings-json' },
  { system: 'socket.io', client: 'socket.io' },
];

/** Two server processes (nodes) on one Redis and one process of counters. */
interface TwoNodes {
  readonly sender: Worker<ServerCommands>;
  readonly other: Worker<ServerCommands>;
  readonly clients: Worker<ClientCommands>;
  readonly ports: readonly [number, number];
}

function redisMissing(): string | undefined {
  return spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0 ? undefined : 'redis-server is not on the PATH';
}

async function withTwoNodes<T>(system: FanoutTarget['system'], redis: RedisServer, body: (nodes: TwoNodes) => Promise<T>): Promise<T> {
  const sender = Worker.start<ServerCommands>(`${system} node 1`, SERVER_ENTRY, ['--expose-gc']);
  const other = Worker.start<ServerCommands>(`${system} node 2`, SERVER_ENTRY, ['--expose-gc']);
  const clients = Worker.start<ClientCommands>(`${system} clients`, CLIENT_ENTRY);
  try {
    const [a, b] = await Promise.all([sender.call('start', { system, redisUrl: redis.url }), other.call('start', { system, redisUrl: redis.url })]);
    return await body({ sender, other, clients, ports: [a.port, b.port] });
  } finally {
    await Promise.all([sender.stop(), other.stop()]);
    await clients.stop();
  }
}

/** Node 1 sends to the group as fast as it can; its members and node 2's (through Redis) count the deliveries. */
async function round(nodes: TwoNodes, sizes: FanoutSizes, messages: number, timeoutMs: number): Promise<RoundFigures> {
  const deliveries = sizes.clients * messages;
  const { excess } = await nodes.clients.call('arm', { deliveries, latency: false });
  if (excess !== 0) throw new Error(`The clients counted ${excess} deliveries more than were sent.`);
  const cpu = () => Promise.all([nodes.sender.call('cpu', null), nodes.other.call('cpu', null), nodes.clients.call('cpu', null)]);
  const [sender0, other0, clients0] = await cpu();
  const { startedAtUs } = await nodes.sender.call('fanout', { group: jobGroup(BENCH_JOB_ID), messages, burst: sizes.burst });
  const { lastAtUs } = await nodes.clients.call('settle', { timeoutMs });
  const [sender1, other1, clients1] = await cpu();
  return {
    deliveriesPerSec: deliveries / ((lastAtUs - startedAtUs) / 1e6),
    // Both nodes: what the cluster spent.
    serverCpuNsPerDelivery: ((sender1 - sender0 + (other1 - other0)) * 1000) / deliveries,
    clientCpuNsPerDelivery: ((clients1 - clients0) * 1000) / deliveries,
  };
}

/**
 * Fan-out across two nodes: half the subscribers on each, the sends made on
 * node 1, so every message reaches node 2's half through Redis — tidings with
 * its RedisHubLifetimeManager, Socket.IO with @socket.io/redis-adapter, each
 * on a fresh redis-server of its own. Without redis-server it is skipped (no
 * rows) and says so.
 */
export const redisFanout: Scenario = {
  id: 'fanout-redis',
  name: FANOUT_REDIS,
  async run({ config, log, wants }) {
    const missing = redisMissing();
    if (missing) {
      log(`  skipped: ${missing}`);
      return [];
    }
    const sizes = config.fanout;
    const onFirst = Math.ceil(sizes.clients / 2);
    const results: ScenarioResult[] = [];
    for (const { system, client } of TARGETS.filter((t) => wants(t.system))) {
      const redis = await startRedisServer();
      let rounds: RoundFigures[];
      try {
        rounds = await withTwoNodes(system, redis, async (nodes) => {
          const jobId = BENCH_JOB_ID;
          await nodes.clients.call('connect', { kind: client, port: nodes.ports[0], jobId, count: onFirst });
          await nodes.clients.call('connect', { kind: client, port: nodes.ports[1], jobId, count: sizes.clients - onFirst });
          await round(nodes, sizes, sizes.warmupMessages, config.roundTimeoutMs);
          const measured: RoundFigures[] = [];
          for (let i = 0; i < sizes.repetitions; i++) measured.push(await round(nodes, sizes, sizes.messages, config.roundTimeoutMs));
          return measured;
        });
      } finally {
        await redis.stop();
      }
      results.push(fanoutResult({ name: FANOUT_REDIS, system, client, sizes, rounds, log, serverLabel: 'both nodes' }));
    }
    return results;
  },
};
