import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { HubMeter, type HubMeterSources, type HubInstruments } from './hub-meter.js';

export interface HubMetricsOptions {
  /** The registry the series are registered on; mount `registry.metrics()` wherever you serve metrics. */
  readonly registry: Registry;
  /** Buckets of `signalr_server_connection_duration_seconds`. */
  readonly connectionDurationBuckets?: readonly number[];
  /** Buckets of `signalr_server_invocation_duration_seconds`. */
  readonly invocationDurationBuckets?: readonly number[];
}

/** Connections live for minutes to hours; ASP.NET's short buckets would put nearly all in +Inf. */
const CONNECTION_BUCKETS = [0.1, 1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400];
const INVOCATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Prometheus series of every hub (and raw connection handler) given it as the
 * `metrics` option, labelled by `hub` (the mapped path). One per registry: pass
 * the same object to every hub, or once as a `HubServer` default.
 *
 * Counters on the send path are plain additions on a per-hub, per-protocol
 * tally; they reach the Prometheus counters when the registry is scraped, so
 * a fan-out to many connections does no label lookups.
 *
 * ```ts
 * const registry = new Registry();
 * const hubs = new HubServer({ metrics: new HubMetrics({ registry }) });
 * ```
 */
export class HubMetrics {
  readonly registry: Registry;
  private readonly meters = new Set<HubMeter>();
  private readonly instruments: HubInstruments;

  constructor(options: HubMetricsOptions) {
    const registers = [options.registry];
    this.registry = options.registry;
    const fold = (): void => {
      for (const meter of this.meters) meter.fold();
    };
    const meters = this.meters;
    this.instruments = {
      activeConnections: new Gauge({
        name: 'signalr_server_active_connections',
        help: 'Connections open on this node, by hub and transport (ASP.NET Core: signalr.server.active_connections).',
        labelNames: ['hub', 'signalr_transport'] as const,
        registers,
      }),
      connectionDuration: new Histogram({
        name: 'signalr_server_connection_duration_seconds',
        help: 'How long connections lasted, by hub, transport and how they ended (ASP.NET Core: signalr.server.connection.duration).',
        labelNames: ['hub', 'signalr_transport', 'signalr_connection_status'] as const,
        buckets: [...(options.connectionDurationBuckets ?? CONNECTION_BUCKETS)],
        registers,
      }),
      connectionsClosed: new Counter({
        name: 'signalr_server_connections_closed_total',
        help: 'Connections ended (and connection attempts refused), by hub and reason.',
        labelNames: ['hub', 'reason'] as const,
        registers,
      }),
      messagesSent: new Counter({
        name: 'signalr_server_messages_sent_total',
        help: 'Hub protocol messages written to connections (each recipient counts), by hub and protocol.',
        labelNames: ['hub', 'protocol'] as const,
        registers,
        collect: fold,
      }),
      bytesSent: new Counter({
        name: 'signalr_server_sent_bytes_total',
        help: 'Bytes of hub protocol messages written to connections, by hub and protocol.',
        labelNames: ['hub', 'protocol'] as const,
        registers,
        collect: fold,
      }),
      messagesReceived: new Counter({
        name: 'signalr_server_messages_received_total',
        help: 'Hub protocol messages received from clients, by hub and protocol.',
        labelNames: ['hub', 'protocol'] as const,
        registers,
        collect: fold,
      }),
      bytesReceived: new Counter({
        name: 'signalr_server_received_bytes_total',
        help: 'Bytes of hub protocol messages received from clients, by hub and protocol.',
        labelNames: ['hub', 'protocol'] as const,
        registers,
        collect: fold,
      }),
      invocations: new Counter({
        name: 'signalr_server_invocations_total',
        help: "Hub method invocations, by hub, declared method ('(unknown)' for any other) and outcome (ok, error, hub_exception, cancelled).",
        labelNames: ['hub', 'rpc_method', 'outcome'] as const,
        registers,
      }),
      invocationDuration: new Histogram({
        name: 'signalr_server_invocation_duration_seconds',
        help: 'How long hub method invocations ran (a stream until its last item), by hub, method and outcome.',
        labelNames: ['hub', 'rpc_method', 'outcome'] as const,
        buckets: [...(options.invocationDurationBuckets ?? INVOCATION_BUCKETS)],
        registers,
      }),
      groupMemberships: new Gauge({
        name: 'signalr_server_group_memberships',
        help: "Group memberships of this node's connections (a connection in three groups counts three), by hub.",
        labelNames: ['hub'] as const,
        registers,
        collect(): void {
          this.reset();
          for (const [hub, value] of sumBy(meters, (meter) => meter.groupMemberships())) this.set({ hub }, value);
        },
      }),
      unsentBytes: new Gauge({
        name: 'signalr_server_unsent_bytes',
        help: "Output queued for this node's connections and not yet taken by the operating system, by hub.",
        labelNames: ['hub'] as const,
        registers,
        collect(): void {
          this.reset();
          for (const [hub, value] of sumBy(meters, (meter) => meter.unsentBytes())) this.set({ hub }, value);
        },
      }),
    };
  }

  /** @internal One mapped path's meter; the endpoint detaches it when it closes. */
  meter(hub: string, sources: HubMeterSources): HubMeter {
    const meter = new HubMeter(hub, this.instruments, sources, (m) => this.meters.delete(m));
    this.meters.add(meter);
    return meter;
  }
}

function sumBy(meters: Iterable<HubMeter>, value: (meter: HubMeter) => number | undefined): Map<string, number> {
  const sums = new Map<string, number>();
  for (const meter of meters) {
    const v = value(meter);
    if (v !== undefined) sums.set(meter.hub, (sums.get(meter.hub) ?? 0) + v);
  }
  return sums;
}
