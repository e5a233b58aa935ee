import { BENCH_JOB_ID, jobGroup } from '../contract.js';
import type { ClientKind } from '../client/client-worker.js';
import type { SystemName } from '../server/system.js';
import { median } from './median.js';
import { type Scenario, type ScenarioResult, emptyFigures } from './scenario.js';
import { type CpuPerDelivery, type SystemSession, chargeCpu, withSystem } from './system-session.js';

const TARGETS: readonly { system: SystemName; client: ClientKind }[] = [
  { system: 'tidings', client: 'tidings-json' },
  { system: 'socket.io', client: 'socket.io' },
  { system: 'ws-coalesced', client: 'ws' },
];

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
 * A steady offered load rather than a flood: each update carries the time of
 * its send call, and clients record receipt minus send on the machine's
 * monotonic clock, so the figure covers serialization, queueing, the socket
 * and the client's own parsing.
 */
export const latencyUnderLoad: Scenario = {
  id: 'latency',
  name: 'Latency under load',
  async run({ config, log, wants }) {
    const { clients, ratePerSec, warmupMs, durationMs, repetitions } = config.latency;
    const results: ScenarioResult[] = [];
    for (const { system, client } of TARGETS.filter((t) => wants(t.system))) {
      const rounds = await withSystem(system, async (session) => {
        await session.clients.call('connect', { kind: client, port: session.port, jobId: BENCH_JOB_ID, count: clients });
        await offeredRound(session, clients, ratePerSec, warmupMs, false, config.roundTimeoutMs);
        const measured = [];
        for (let i = 0; i < repetitions; i++) measured.push(await offeredRound(session, clients, ratePerSec, durationMs, true, config.roundTimeoutMs));
        return measured;
      });
      // A tail percentile of one round can be one scheduling hiccup of a shared machine: report the median round.
      const p50Ms = roundMs(median(rounds.map((r) => r.p50Ms!)));
      const samples = rounds.map((r) => roundMs(r.p99Ms!));
      const p99Ms = median(samples);
      const serverCpuNsPerDelivery = Math.round(median(rounds.map((r) => r.serverCpuNsPerDelivery)));
      const clientCpuNsPerDelivery = Math.round(median(rounds.map((r) => r.clientCpuNsPerDelivery)));
      log(
        `  ${system}: p50 ${p50Ms} ms, p99 ${p99Ms} ms [${samples.join(', ')}] at ${ratePerSec} messages/s to ${clients} clients; ` +
          `CPU per delivery: server ${serverCpuNsPerDelivery} ns, clients ${clientCpuNsPerDelivery} ns`,
      );
      results.push({
        name: this.name,
        system,
        clients,
        messages: rounds[0]!.messages,
        ...emptyFigures(),
        p50Ms,
        p99Ms,
        samples,
        serverCpuNsPerDelivery,
        clientCpuNsPerDelivery,
      });
    }
    return results;
  },
};

function roundMs(value: number): number {
  return Math.round(value * 100) / 100;
}
