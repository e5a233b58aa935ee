import type { HubConnection } from '@microsoft/signalr';
import { cpuMicros } from '../clock.js';
import { type CommandHandlers, serveCommands } from '../rpc.js';
import { type BareClient, openBareClients } from './bare-clients.js';
import { DeliveryStats, type RoundResult } from './delivery-stats.js';
import type { ServiceClient, ServiceClientKind } from './service-clients.js';
import { WIRE_PROTOCOLS } from './wire/protocols.js';
import type { WireName } from './wire/wire.js';

/** Bare counters speak a wire protocol; `@microsoft/signalr` is the official client library. */
export type ClientKind = WireName | '@microsoft/signalr';

export type ClientCommands = {
  connect: {
    arg: { kind: ClientKind; port: number; jobId: string; count: number; localAddresses?: readonly string[] };
    result: { connected: number };
  };
  /** Starts a round of `deliveries`; returns deliveries beyond the previous round's (must be 0). */
  arm: { arg: { deliveries: number; latency: boolean }; result: { excess: number } };
  settle: { arg: { timeoutMs: number }; result: RoundResult };
  /** Opens `count` official-client connections to the service at `url` (end-to-end scenario). */
  connectService: { arg: { kind: ServiceClientKind; url: string; count: number }; result: { connected: number } };
  /** Subscribes the service connections to `jobIds`, dealt out in turn. */
  subscribe: { arg: { jobIds: readonly string[] }; result: null };
  /** CPU microseconds used so far, to charge a round's work to the clients. */
  cpu: { arg: null; result: number };
};

const KEEP_ALIVE_MS = 5000;

const stats = new DeliveryStats();
const bareClients: BareClient[] = [];
const officialClients: HubConnection[] = [];
const serviceClients: ServiceClient[] = [];

const keepAlive = setInterval(() => {
  for (const client of bareClients) client.session.keepAlive();
}, KEEP_ALIVE_MS);
keepAlive.unref();

const handlers: CommandHandlers<ClientCommands> = {
  async connect({ kind, port, jobId, count, localAddresses }) {
    if (kind === '@microsoft/signalr') {
      // Loaded on demand: most client workers never use the official client.
      const { openOfficialClients } = await import('./official-clients.js');
      officialClients.push(...(await openOfficialClients(port, jobId, count, stats)));
    }
    else bareClients.push(...(await openBareClients(WIRE_PROTOCOLS[kind], port, jobId, count, stats, localAddresses)));
    return { connected: bareClients.length + officialClients.length };
  },
  arm({ deliveries, latency }) {
    return { excess: stats.arm(deliveries, latency) };
  },
  settle({ timeoutMs }) {
    return stats.settle(timeoutMs);
  },
  async connectService({ kind, url, count }) {
    const { openServiceClients } = await import('./service-clients.js');
    serviceClients.push(...(await openServiceClients(kind, url, count, stats)));
    return { connected: serviceClients.length };
  },
  async subscribe({ jobIds }) {
    if (serviceClients.length === 0) throw new Error('No service connections to subscribe.');
    await Promise.all(jobIds.map((jobId, i) => serviceClients[i % serviceClients.length]!.subscribe(jobId)));
    return null;
  },
  cpu: cpuMicros,
};

serveCommands(handlers);
