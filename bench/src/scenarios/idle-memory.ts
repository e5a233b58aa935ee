import { BENCH_JOB_ID } from '../contract.js';
import type { ClientKind } from '../client/client-worker.js';
import type { SystemName } from '../server/system.js';
import { median } from './median.js';
import { type Scenario, type ScenarioResult, emptyFigures } from './scenario.js';
import { withSystem } from './system-session.js';

const TARGETS: readonly { system: SystemName; client: ClientKind }[] = [
  { system: 'tidings', client: 'tidings-json' },
  { system: 'socket.io', client: 'socket.io' },
  { system: 'ws', client: 'ws' },
];

const KB = 1024;

/**
 * The server's memory per idle, subscribed connection: RSS and heap after full
 * garbage collections, before and after opening the connections. A few
 * connections are opened before the first sample so code compiled and
 * modules loaded on first use are not charged to the connections.
 */
export const idleMemory: Scenario = {
  id: 'memory',
  name: 'Idle memory',
  async run({ config, log, wants }) {
    const { connections, warmupConnections, repetitions } = config.memory;
    const results: ScenarioResult[] = [];
    for (const { system, client } of TARGETS.filter((t) => wants(t.system))) {
      const rounds: MemoryPerConnection[] = [];
      // RSS moves by pages and allocator arenas: a fresh server per round, and the median round.
      for (let i = 0; i < repetitions; i++) rounds.push(await measureOnce(system, client, warmupConnections, connections));
      const samples = rounds.map((r) => r.rssPerConnKB);
      const rssPerConnKB = median(samples);
      const heapPerConnKB = median(rounds.map((r) => r.heapPerConnKB));
      log(`  ${system}: ${rssPerConnKB} KB RSS [${samples.join(', ')}], ${heapPerConnKB} KB heap per connection`);
      results.push({ name: this.name, system, clients: connections, messages: 0, ...emptyFigures(), rssPerConnKB, heapPerConnKB, samples });
    }
    return results;
  },
};

interface MemoryPerConnection {
  readonly rssPerConnKB: number;
  readonly heapPerConnKB: number;
}

function measureOnce(system: SystemName, client: ClientKind, warmupConnections: number, connections: number): Promise<MemoryPerConnection> {
  return withSystem(system, async ({ server, clients, port }) => {
    await clients.call('connect', { kind: client, port, jobId: BENCH_JOB_ID, count: warmupConnections });
    const before = await server.call('memory', null);
    await clients.call('connect', { kind: client, port, jobId: BENCH_JOB_ID, count: connections });
    const after = await server.call('memory', null);
    return {
      rssPerConnKB: round1((after.rss - before.rss) / connections / KB),
      heapPerConnKB: round1((after.heapUsed - before.heapUsed) / connections / KB),
    };
  });
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
