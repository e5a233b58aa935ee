import { BENCH_JOB_ID, jobGroup } from '../contract.js';
import type { ClientKind } from '../client/client-worker.js';
import type { SystemName } from '../server/system.js';
import { FANOUT_JSON_NAME, connectClients, fanoutRound } from './fanout.js';
import { median } from './median.js';
import { type Scenario, type ScenarioResult, emptyFigures } from './scenario.js';
import { type CpuPerDelivery, type SystemSession, chargeCpu, withSystem } from './system-session.js';

const TARGETS: readonly { system: SystemName; client: ClientKind }[] = [
  { system: 'tidings', client: 'tidings-json' },
  { system: 'socket.io', client: 'socket.io' },
  { system: 'ws-batched', client: 'ws-batched' },
  { system: 'ws-coalesced', client: 'ws' },
];

/** The offered loads, as fractions of each system's own measured fan-out capacity. */
export const LOAD_FRACTIONS = [0.25, 0.5, 0.75] as const;

/** The row name of the sweep's point at `fraction` of capacity. */
export function latencyName(fraction: number): string {
  return `Latency at ${Math.round(fraction * 100)} % of capacity`;
}

interface Percentiles {
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

async function offeredRound(
  session: SystemSession,
  clients: number,
  ratePerSec: number,
  durationMs: number,
  latency: boolean,
  timeoutMs: number,
): Promise<Percentiles & CpuPerDelivery & { messages: number }> {
  const messages = Math.round((ratePerSec * durationMs) / 1000);
  const { excess } = await session.clients.call('arm', { deliveries: clients * messages, latency });
  if (excess !== 0) throw new Error(`The clients counted ${excess} deliveries more than were sent.`);
  return chargeCpu(session, clients * messages, async () => {
    const { sent } = await session.server.call('offer', { group: jobGroup(BENCH_JOB_ID), ratePerSec, durationMs });
    if (sent !== messages) throw new Error(`The server sent ${sent} messages, expected ${messages}.`);
    const { p50Ms, p99Ms } = await session.clients.call('settle', { timeoutMs });
    return { messages, p50Ms, p99Ms };
  });
}

/**
 * Latency at the same fraction of each system's capacity: a flood collapses a
 * slower system's queue and measures the queue, not the system. The capacity
 * is the system's JSON fan-out rate from earlier in the same run (measured
 * here, on the same connections, when `--only` left the fan-out out); each
 * point offers 25, 50 and 75 % of it as a steady rate, every update stamped
 * with its send call's time, and the clients record receipt minus send on the
 * machine's monotonic clock (serialization, queueing, the socket, parsing).
 */
export const latencySweep: Scenario = {
  id: 'latency',
  name: 'Latency sweep',
  async run({ config, log, wants, earlier }) {
    const { clients, warmupMs, durationMs, repetitions, maxRatePerSec = Number.POSITIVE_INFINITY } = config.latency;
    const results: ScenarioResult[] = [];
    for (const { system, client } of TARGETS.filter((t) => wants(t.system))) {
      results.push(
        ...(await withSystem(system, async (session) => {
          await connectClients(session, client, clients);
          let capacity = earlier.find((row) => row.name === FANOUT_JSON_NAME && row.system === system)?.deliveriesPerSec ?? null;
          if (capacity === null) {
            const sizes = { ...config.fanout, clients };
            await fanoutRound(session, sizes, sizes.warmupMessages, config.roundTimeoutMs);
            capacity = (await fanoutRound(session, sizes, sizes.messages, config.roundTimeoutMs)).deliveriesPerSec;
            log(`  ${system}: no fan-out row in this run; measured its capacity here: ${Math.round(capacity).toLocaleString('en-US')} deliveries/s`);
          }
          const rows: ScenarioResult[] = [];
          for (const fraction of LOAD_FRACTIONS) {
            const ratePerSec = Math.min(maxRatePerSec, Math.max(1, Math.round((fraction * capacity) / clients)));
            await offeredRound(session, clients, ratePerSec, warmupMs, false, config.roundTimeoutMs);
            const rounds = [];
            for (let i = 0; i < repetitions; i++) rounds.push(await offeredRound(session, clients, ratePerSec, durationMs, true, config.roundTimeoutMs));
            rows.push(sweepRow(latencyName(fraction), system, clients, ratePerSec, rounds, log));
          }
          return rows;
        })),
      );
    }
    return results;
  },
};

function sweepRow(
  name: string,
  system: SystemName,
  clients: number,
  ratePerSec: number,
  rounds: readonly (Percentiles & CpuPerDelivery & { messages: number })[],
  log: (line: string) => void,
): ScenarioResult {
  // A tail percentile of one round can be one scheduling hiccup of a shared machine: report the median round.
  const p50Ms = roundMs(median(rounds.map((r) => r.p50Ms!)));
  const samples = rounds.map((r) => roundMs(r.p99Ms!));
  const p99Ms = median(samples);
  const serverCpuNsPerDelivery = Math.round(median(rounds.map((r) => r.serverCpuNsPerDelivery)));
  const clientCpuNsPerDelivery = Math.round(median(rounds.map((r) => r.clientCpuNsPerDelivery)));
  log(
    `  ${name}, ${system}: p50 ${p50Ms} ms, p99 ${p99Ms} ms [${samples.join(', ')}] at ${ratePerSec} messages/s to ${clients} clients; ` +
      `CPU per delivery: server ${serverCpuNsPerDelivery} ns, clients ${clientCpuNsPerDelivery} ns`,
  );
  return {
    name,
    system,
    clients,
    messages: rounds[0]!.messages,
    ...emptyFigures(),
    // The offered rate: what this point asked of the system.
    deliveriesPerSec: ratePerSec * clients,
    p50Ms,
    p99Ms,
    samples,
    serverCpuNsPerDelivery,
    clientCpuNsPerDelivery,
  };
}

function roundMs(value: number): number {
  return Math.round(value * 100) / 100;
}
