import type { ClientKind } from '../client/client-worker.js';
import type { BenchConfig, FanoutSizes } from '../config.js';
import { BENCH_JOB_ID, jobGroup } from '../contract.js';
import type { SystemName } from '../server/system.js';
import { median } from './median.js';
import { type Log, type Scenario, type ScenarioResult, emptyFigures } from './scenario.js';
import { type CpuPerDelivery, type SystemSession, backplaneMissing, chargeCpu, withSystem } from './system-session.js';

export interface FanoutTarget {
  readonly system: SystemName;
  /** Who counts: a bare WebSocket speaking this wire protocol, or the official client library. */
  readonly client: ClientKind;
}

/** The JSON fan-out's row name: the latency sweep reads each system's capacity from it. */
export const FANOUT_JSON_NAME = 'Group fan-out, JSON';

/** CPU time per delivery is far steadier than the rate on a shared machine, so it shows what a change did. */
export type RoundFigures = {
  readonly deliveriesPerSec: number;
  /** Deliveries per WebSocket message the clients read: how much each system batched (null for client libraries). */
  readonly recordsPerFrame: number | null;
} & CpuPerDelivery;

/** Arms the clients, has the server send `messages` to the group, and measures until the last delivery. */
export async function fanoutRound(session: SystemSession, sizes: FanoutSizes, messages: number, timeoutMs: number): Promise<RoundFigures> {
  const deliveries = sizes.clients * messages;
  const { excess } = await session.clients.call('arm', { deliveries, latency: false });
  if (excess !== 0) throw new Error(`The clients counted ${excess} deliveries more than were sent.`);
  return chargeCpu(session, deliveries, async () => {
    const { startedAtUs } = await session.server.call('fanout', { group: jobGroup(BENCH_JOB_ID), messages, burst: sizes.burst });
    const { lastAtUs, frames } = await session.clients.call('settle', { timeoutMs });
    return { deliveriesPerSec: deliveries / ((lastAtUs - startedAtUs) / 1e6), recordsPerFrame: frames > 0 ? deliveries / frames : null };
  });
}

/** Opens `count` subscribed clients, spread evenly over the session's nodes (the first gets any odd one). */
export async function connectClients(session: SystemSession, kind: ClientKind, count: number): Promise<void> {
  let connected = 0;
  for (const [i, { port }] of session.nodes.entries()) {
    const share = Math.ceil((count - connected) / (session.nodes.length - i));
    await session.clients.call('connect', { kind, port, jobId: BENCH_JOB_ID, count: share });
    connected += share;
  }
}

/**
 * Every client subscribes to one job's group; the server sends to the group as
 * fast as it can; the rate is deliveries (messages × clients) per second from
 * the first send call to the last receipt. With `nodes` > 1 each system runs
 * that many server processes on a fresh redis-server with its own backplane
 * (tidings: RedisHubLifetimeManager, Socket.IO: @socket.io/redis-adapter), the
 * clients spread over them and every send made on node 1, so the other nodes'
 * share arrives through Redis; CPU per delivery is then all nodes'. Without
 * redis-server such a scenario is skipped (no rows) and says so.
 */
export function fanoutScenario(
  id: string,
  name: string,
  targets: readonly FanoutTarget[],
  sizesOf: (config: BenchConfig) => FanoutSizes,
  nodes = 1,
): Scenario {
  return {
    id,
    name,
    async run({ config, log, wants }) {
      const missing = nodes > 1 ? backplaneMissing() : undefined;
      if (missing) {
        log(`  skipped: ${missing}`);
        return [];
      }
      const sizes = sizesOf(config);
      const results: ScenarioResult[] = [];
      for (const { system, client } of targets.filter((t) => wants(t.system))) {
        const rounds = await withSystem(
          system,
          async (session) => {
            await connectClients(session, client, sizes.clients);
            return measureFanout(session, sizes, config.roundTimeoutMs);
          },
          nodes,
        );
        results.push(fanoutResult({ name, system, client, sizes, rounds, log, serverLabel: nodes > 1 ? `${nodes} nodes` : 'server' }));
      }
      return results;
    },
  };
}

/** A warm-up round, then the measured rounds, on clients already connected and subscribed. */
export async function measureFanout(session: SystemSession, sizes: FanoutSizes, timeoutMs: number): Promise<RoundFigures[]> {
  await fanoutRound(session, sizes, sizes.warmupMessages, timeoutMs);
  const measured: RoundFigures[] = [];
  for (let i = 0; i < sizes.repetitions; i++) measured.push(await fanoutRound(session, sizes, sizes.messages, timeoutMs));
  return measured;
}

/** The row of a fan-out measured in `rounds`: the median rate and CPU per delivery, logged as they are reported. */
export function fanoutResult(measured: {
  readonly name: string;
  readonly system: SystemName;
  readonly client: ClientKind;
  readonly sizes: FanoutSizes;
  readonly rounds: readonly RoundFigures[];
  readonly log: Log;
  /** Whose CPU `serverCpuNsPerDelivery` is. */
  readonly serverLabel: string;
  readonly note?: string;
}): ScenarioResult {
  const { name, system, client, sizes, rounds, log } = measured;
  const samples = rounds.map((r) => Math.round(r.deliveriesPerSec));
  const deliveriesPerSec = Math.round(median(samples));
  const serverCpuNsPerDelivery = Math.round(median(rounds.map((r) => r.serverCpuNsPerDelivery)));
  const clientCpuNsPerDelivery = Math.round(median(rounds.map((r) => r.clientCpuNsPerDelivery)));
  const batching = rounds.every((r) => r.recordsPerFrame !== null) ? Math.round(median(rounds.map((r) => r.recordsPerFrame!)) * 10) / 10 : null;
  const note = [batching === null ? undefined : `${batching} deliveries per frame`, measured.note].filter(Boolean).join('; ');
  log(
    `  ${system} (${client}): ${deliveriesPerSec.toLocaleString('en-US')} deliveries/s [${samples.join(', ')}]; ` +
      `CPU per delivery: ${measured.serverLabel} ${serverCpuNsPerDelivery} ns, clients ${clientCpuNsPerDelivery} ns` +
      (batching === null ? '' : `; ${batching} deliveries per frame`),
  );
  return {
    name,
    system,
    clients: sizes.clients,
    messages: sizes.messages,
    ...emptyFigures(),
    deliveriesPerSec,
    samples,
    serverCpuNsPerDelivery,
    clientCpuNsPerDelivery,
    ...(note ? { note } : {}),
  };
}
