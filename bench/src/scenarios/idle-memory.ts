import { BENCH_JOB_ID } from '../contract.js';
import type { ClientKind } from '../client/client-worker.js';
import type { SystemName } from '../server/system.js';
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
    const { connections, warmupConnections } = config.memory;
    const results: ScenarioResult[] = [];
    for (const { system, client } of TARGETS.filter((t) => wants(t.system))) {
      const row = await withSystem(system, async ({ server, clients, port }) => {
        await clients.call('connect', { kind: client, port, jobId: BENCH_JOB_ID, count: warmupConnections });
        const before = await server.call('memory', null);
        await clients.call('connect', { kind: client, port, jobId: BENCH_JOB_ID, count: connections });
        const after = await server.call('memory', null);
        return {
          rssPerConnKB: round1((after.rss - before.rss) / connections / KB),
          heapPerConnKB: round1((after.heapUsed - before.heapUsed) / connections / KB),
        };
      });
      log(`  ${system}: ${row.rssPerConnKB} KB RSS, ${row.heapPerConnKB} KB heap per connection`);
      results.push({ name: this.name, system, clients: connections, messages: 0, ...emptyFigures(), ...row });
    }
    return results;
  },
};

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
