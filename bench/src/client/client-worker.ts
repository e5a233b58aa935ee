import type { HubConnection } from '@microsoft/signalr';
import { cpuMicros } from '../clock.js';
import { type CommandHandlers, serveCommands } from '../rpc.js';
import { type BareClient, openBareClients } from './bare-clients.js';
import { DeliveryStats, type RoundResult } from './delivery-stats.js';
import { WIRE_PROTOCOLS } from './wire/protocols.js';
import type { WireName } from './wire/wire.js';

/** Bare counters speak a wire protocol; `@microsoft/signalr` is the official client library. */
export type ClientKind = WireName | '@microsoft/signalr';

export type ClientCommands = {
  connect: { arg: { kind: ClientKind; port: number; jobId: string; count: number }; result: { connected: number } };
  /** Starts a round of `deliveries`; returns deliveries beyond the previous round's (must be 0). */
  arm: { arg: { deliveries: number; latency: boolean }; result: { excess: number } };
  settle: { arg: { timeoutMs: number }; result: RoundResult };
  /** CPU microseconds used so far, to charge a round's work to the clients. */
  cpu: { arg: null; result: number };
};

const KEEP_ALIVE_MS = 5000;

const stats = new DeliveryStats();
const bareClients: BareClient[] = [];
const officialClients: HubConnection[] = [];

const keepAlive = setInterval(() => {
  for (const client of bareClients) client.session.keepAlive();
}, KEEP_ALIVE_MS);
keepAlive.unref();

const handlers: CommandHandlers<ClientCommands> = {
  async connect({ kind, port, jobId, count }) {
    if (kind === '@microsoft/signalr') {
      // Loaded on demand: most client workers never use the official client.
      const { openOfficialClients } = await import('./official-clients.js');
      officialClients.push(...(await openOfficialClients(port, jobId, count, stats)));
    }
    else bareClients.push(...(await openBareClients(WIRE_PROTOCOLS[kind], port, jobId, count, stats)));
    return { connected: bareClients.length + officialClients.length };
  },
  arm({ deliveries, latency }) {
    return { excess: stats.arm(deliveries, latency) };
  },
  settle({ timeoutMs }) {
    return stats.settle(timeoutMs);
  },
  cpu: cpuMicros,
};

serveCommands(handlers);
