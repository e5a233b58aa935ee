import type { Counter, Gauge, Histogram } from 'prom-client';
import { TRANSPORT_ATTRIBUTE, type TransportName } from '../transports/transport.js';
import { CLOSE_REASONS, type CloseReason, connectionStatusOf } from './close-reason.js';

type HubLabels = 'hub';
export interface HubInstruments {
  readonly activeConnections: Gauge<HubLabels | 'signalr_transport'>;
  readonly connectionDuration: Histogram<HubLabels | 'signalr_transport' | 'signalr_connection_status'>;
  readonly connectionsClosed: Counter<HubLabels | 'reason'>;
  readonly messagesSent: Counter<HubLabels | 'protocol'>;
  readonly bytesSent: Counter<HubLabels | 'protocol'>;
  readonly messagesReceived: Counter<HubLabels | 'protocol'>;
  readonly bytesReceived: Counter<HubLabels | 'protocol'>;
  readonly invocations: Counter<HubLabels | 'rpc_method' | 'outcome'>;
  readonly invocationDuration: Histogram<HubLabels | 'rpc_method' | 'outcome'>;
  readonly groupMemberships: Gauge<HubLabels>;
  readonly unsentBytes: Gauge<HubLabels>;
}

/** What a meter reads when the registry is scraped. */
export interface HubMeterSources {
  /** Output waiting on this endpoint's connections. */
  unsentBytes(): number;
}

/**
 * Traffic of one hub and protocol, counted with plain additions where the
 * connection writes and reads; folded into the Prometheus counters at scrape.
 */
export class TrafficTally {
  sentMessages = 0;
  sentBytes = 0;
  receivedMessages = 0;
  receivedBytes = 0;
  constructor(readonly protocol: string) {}
}

export type InvocationOutcome = 'ok' | 'error' | 'hub_exception' | 'cancelled';
const OUTCOMES: readonly InvocationOutcome[] = ['ok', 'error', 'hub_exception', 'cancelled'];

/** Label value of every method a hub does not declare: clients choose those names, so they are not labels. */
export const UNKNOWN_METHOD = '(unknown)';

/** One method's counters and histograms, bound to their labels once. */
export class InvocationMeter {
  private readonly counters: Record<InvocationOutcome, Counter.Internal>;
  private readonly durations: Record<InvocationOutcome, Histogram.Internal<string>>;

  constructor(instruments: HubInstruments, hub: string, method: string) {
    const counters = {} as Record<InvocationOutcome, Counter.Internal>;
    const durations = {} as Record<InvocationOutcome, Histogram.Internal<string>>;
    for (const outcome of OUTCOMES) {
      counters[outcome] = instruments.invocations.labels(hub, method, outcome);
      durations[outcome] = instruments.invocationDuration.labels(hub, method, outcome);
    }
    this.counters = counters;
    this.durations = durations;
  }

  record(outcome: InvocationOutcome, seconds: number): void {
    this.counters[outcome].inc();
    this.durations[outcome].observe(seconds);
  }
}


/**
 * The series of one mapped path (`hub` label), with every label child bound
 * when first needed, so nothing per message looks up labels.
 */
export class HubMeter {
  private readonly tallies = new Map<string, TrafficTally>();
  private readonly invocationMeters = new Map<string, InvocationMeter>();
  private readonly active = new Map<TransportName, Gauge.Internal<string>>();
  private readonly closed = new Map<CloseReason, Counter.Internal>();
  private groupSource: (() => number | undefined) | undefined;

  constructor(
    readonly hub: string,
    private readonly instruments: HubInstruments,
    private readonly sources: HubMeterSources,
    private readonly onDetach: (meter: HubMeter) => void,
  ) {
    for (const reason of CLOSE_REASONS) this.closed.set(reason, instruments.connectionsClosed.labels(hub, reason));
  }

  /** The tally a connection speaking `protocol` adds its traffic to. */
  traffic(protocol: string): TrafficTally {
    let tally = this.tallies.get(protocol);
    if (!tally) this.tallies.set(protocol, (tally = new TrafficTally(protocol)));
    return tally;
  }

  /** The meter of a declared method, or of every undeclared one when `method` is undefined. */
  invocation(method: string | undefined): InvocationMeter {
    const name = method ?? UNKNOWN_METHOD;
    let meter = this.invocationMeters.get(name);
    if (!meter) this.invocationMeters.set(name, (meter = new InvocationMeter(this.instruments, this.hub, name)));
    return meter;
  }

  connectionStarted(transport: TransportName): void {
    let gauge = this.active.get(transport);
    if (!gauge) this.active.set(transport, (gauge = this.instruments.activeConnections.labels(this.hub, TRANSPORT_ATTRIBUTE[transport])));
    gauge.inc();
  }

  connectionEnded(transport: TransportName, reason: CloseReason, seconds: number): void {
    this.active.get(transport)?.dec();
    this.instruments.connectionDuration.labels(this.hub, TRANSPORT_ATTRIBUTE[transport], connectionStatusOf(reason)).observe(seconds);
    this.closed.get(reason)!.inc();
  }

  /** A connection attempt refused before it became a connection (credentials, rate limit, capacity). */
  refused(reason: CloseReason): void {
    this.closed.get(reason)!.inc();
  }

  /** Where the group memberships of this hub's connections are counted (its lifetime manager). */
  watchGroups(source: () => number | undefined): void {
    this.groupSource = source;
  }

  groupMemberships(): number | undefined {
    return this.groupSource?.();
  }

  unsentBytes(): number {
    return this.sources.unsentBytes();
  }

  /** Moves the tallies into the Prometheus counters (at scrape, and when the hub closes). */
  fold(): void {
    const i = this.instruments;
    for (const tally of this.tallies.values()) {
      if (tally.sentMessages !== 0) i.messagesSent.inc({ hub: this.hub, protocol: tally.protocol }, tally.sentMessages);
      if (tally.sentBytes !== 0) i.bytesSent.inc({ hub: this.hub, protocol: tally.protocol }, tally.sentBytes);
      if (tally.receivedMessages !== 0) i.messagesReceived.inc({ hub: this.hub, protocol: tally.protocol }, tally.receivedMessages);
      if (tally.receivedBytes !== 0) i.bytesReceived.inc({ hub: this.hub, protocol: tally.protocol }, tally.receivedBytes);
      tally.sentMessages = tally.sentBytes = tally.receivedMessages = tally.receivedBytes = 0;
    }
  }

  /** The endpoint closed: its last traffic is counted and it is no longer read at scrape. */
  detach(): void {
    this.fold();
    this.onDetach(this);
  }
}
