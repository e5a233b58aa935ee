import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientCommands } from '../client/client-worker.js';
import type { ServiceClientKind } from '../client/service-clients.js';
import { startDurableRedis } from '../jobs/durable-redis.js';
import { Worker } from '../rpc.js';
import type { ServiceStackName } from '../service/service-stack.js';
import type { ServiceCommands } from '../service/service-worker.js';
import { median } from './median.js';
import { type Scenario, type ScenarioResult, emptyFigures } from './scenario.js';
import { backplaneMissing } from './system-session.js';

const SERVICE_ENTRY = new URL('../service/service-worker.ts', import.meta.url);
const CLIENT_ENTRY = new URL('../client/client-worker.ts', import.meta.url);

export const END_TO_END_NAME = 'End to end, job progress to clients';

const STACKS: readonly { stack: ServiceStackName; client: ServiceClientKind; redis: boolean }[] = [
  { stack: 'tidings-service', client: '@microsoft/signalr', redis: false },
  { stack: 'bullmq+socket.io', client: 'socket.io-client', redis: true },
];

interface EndToEndRound {
  readonly eventsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly serverCpuNsPerDelivery: number;
  readonly clientCpuNsPerDelivery: number;
}

/**
 * Through the whole service: `jobs` jobs start and wait until `clients`
 * official-client connections have subscribed to them (each job watched by
 * one connection), then all are let go at once and each sends `steps`
 * progress steps back to back, its status message stamped with the time of
 * the processor's call. The clients record receipt minus that stamp; the rate
 * is steps delivered per second from the release to the last receipt. Every
 * job is released at once, so this is the stack saturated: the latency
 * includes the queue that builds. tidings: `createTidingsServer` on SQLite
 * with `@microsoft/signalr`; the alternative: BullMQ (Redis, AOF on)
 * `QueueEvents` → Socket.IO room emits, with `socket.io-client`.
 */
export const endToEnd: Scenario = {
  id: 'end-to-end',
  name: END_TO_END_NAME,
  async run({ config, log, wants }) {
    const { jobs, steps, clients, warmupJobs, repetitions } = config.endToEnd;
    const results: ScenarioResult[] = [];
    const missing = backplaneMissing();
    for (const { stack, client, redis: onRedis } of STACKS.filter((s) => wants(s.stack))) {
      if (onRedis && missing) {
        log(`  ${stack} skipped: ${missing}`);
        continue;
      }
      const redis = onRedis ? await startDurableRedis() : undefined;
      const dataDir = await mkdtemp(join(tmpdir(), 'tidings-bench-e2e-'));
      const server = Worker.start<ServiceCommands>(`${stack} service`, SERVICE_ENTRY);
      const counters = Worker.start<ClientCommands>(`${stack} clients`, CLIENT_ENTRY);
      try {
        const { url } = await server.call('start', { stack, dataDir, redisUrl: redis?.url, concurrency: Math.max(jobs, warmupJobs) });
        await counters.call('connectService', { kind: client, url, count: clients });
        const round = async (count: number): Promise<EndToEndRound> => {
          const { jobIds } = await server.call('prepare', { jobs: count, steps });
          await counters.call('subscribe', { jobIds });
          const deliveries = count * steps;
          const { excess } = await counters.call('arm', { deliveries, latency: true });
          if (excess !== 0) throw new Error(`The clients counted ${excess} deliveries more than were sent.`);
          const [serverBefore, clientBefore] = await Promise.all([server.call('cpu', null), counters.call('cpu', null)]);
          const { releasedAtUs } = await server.call('release', null);
          const settled = await counters.call('settle', { timeoutMs: config.roundTimeoutMs });
          const [serverAfter, clientAfter] = await Promise.all([server.call('cpu', null), counters.call('cpu', null)]);
          return {
            eventsPerSec: deliveries / ((settled.lastAtUs - releasedAtUs) / 1e6),
            p50Ms: settled.p50Ms!,
            p99Ms: settled.p99Ms!,
            serverCpuNsPerDelivery: ((serverAfter - serverBefore) * 1000) / deliveries,
            clientCpuNsPerDelivery: ((clientAfter - clientBefore) * 1000) / deliveries,
          };
        };
        await round(warmupJobs);
        const rounds: EndToEndRound[] = [];
        for (let i = 0; i < repetitions; i++) rounds.push(await round(jobs));
        const samples = rounds.map((r) => Math.round(r.eventsPerSec));
        const row: ScenarioResult = {
          name: END_TO_END_NAME,
          system: stack,
          clients,
          messages: jobs * steps,
          ...emptyFigures(),
          deliveriesPerSec: Math.round(median(samples)),
          p50Ms: roundMs(median(rounds.map((r) => r.p50Ms))),
          p99Ms: roundMs(median(rounds.map((r) => r.p99Ms))),
          samples,
          serverCpuNsPerDelivery: Math.round(median(rounds.map((r) => r.serverCpuNsPerDelivery))),
          clientCpuNsPerDelivery: Math.round(median(rounds.map((r) => r.clientCpuNsPerDelivery))),
          note: `${jobs} concurrent jobs × ${steps} steps, ${client}`,
        };
        log(
          `  ${stack}: ${row.deliveriesPerSec!.toLocaleString('en-US')} events/s [${samples.join(', ')}], p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms; ` +
            `CPU per event: server ${row.serverCpuNsPerDelivery} ns, clients ${row.clientCpuNsPerDelivery} ns`,
        );
        results.push(row);
        await server.call('close', null);
      } finally {
        await server.stop();
        await counters.stop();
        await redis?.stop();
        await rm(dataDir, { recursive: true, force: true });
      }
    }
    return results;
  },
};

function roundMs(value: number): number {
  return Math.round(value * 100) / 100;
}
