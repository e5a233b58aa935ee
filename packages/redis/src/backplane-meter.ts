import type { Counter, Gauge, Histogram } from 'prom-client';

export interface BackplaneInstruments {
  readonly publishes: Counter<'hub'>;
  readonly publishFailures: Counter<'hub'>;
  readonly received: Counter<'hub'>;
  readonly lag: Histogram<'hub'>;
  readonly connected: Gauge<'hub' | 'role'>;
}

/** Whether each of a backplane's Redis connections is ready, by role. */
export type BackplaneLinks = () => Iterable<readonly [role: string, ready: boolean]>;

/** One backplane's counts, kept as plain numbers until the registry is scraped. */
export class BackplaneMeter {
  publishes = 0;
  publishFailures = 0;
  received = 0;
  private readonly lag: Histogram.Internal<'hub'>;

  constructor(
    readonly hub: string,
    private readonly instruments: BackplaneInstruments,
    readonly links: BackplaneLinks,
    private readonly onDetach: (meter: BackplaneMeter) => void,
  ) {
    this.lag = instruments.lag.labels(hub);
  }

  /** A send published by another process at `publishedAt` (its clock, ms since the epoch) arrived now. */
  delivered(publishedAt: number): void {
    this.lag.observe(Math.max(0, Date.now() - publishedAt) / 1000);
  }

  fold(): void {
    const i = this.instruments;
    if (this.publishes !== 0) i.publishes.inc({ hub: this.hub }, this.publishes);
    if (this.publishFailures !== 0) i.publishFailures.inc({ hub: this.hub }, this.publishFailures);
    if (this.received !== 0) i.received.inc({ hub: this.hub }, this.received);
    this.publishes = this.publishFailures = this.received = 0;
  }

  detach(): void {
    this.fold();
    this.onDetach(this);
  }
}
