import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BackplaneMeter, type BackplaneInstruments, type BackplaneLinks } from './backplane-meter.js';

export interface BackplaneMetricsOptions {
  /** The registry the series are registered on (the same one as the hubs' `HubMetrics`, usually). */
  readonly registry: Registry;
  /** Buckets of `tidings_backplane_delivery_lag_seconds`. */
  readonly lagBuckets?: readonly number[];
}

const LAG_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Prometheus series of the Redis backplane, labelled by the backplane's `hub`
 * name: publishes and receives (read as rates), publish-to-delivery lag measured
 * on the receiving node, and whether each Redis connection is up. One per
 * registry: pass the same object as the `metrics` option of every
 * `RedisHubLifetimeManager` and `createRedisHubContext` of the process.
 *
 * Counts are plain additions, moved into the Prometheus counters at scrape.
 */
export class BackplaneMetrics {
  readonly registry: Registry;
  private readonly meters = new Set<BackplaneMeter>();
  private readonly instruments: BackplaneInstruments;

  constructor(options: BackplaneMetricsOptions) {
    this.registry = options.registry;
    const registers = [options.registry];
    const meters = this.meters;
    const fold = (): void => {
      for (const meter of meters) meter.fold();
    };
    this.instruments = {
      publishes: new Counter({
        name: 'tidings_backplane_publishes_total',
        help: 'Messages this process published to Redis (sends, routed group changes, client results, replies), by hub.',
        labelNames: ['hub'] as const,
        registers,
        collect: fold,
      }),
      publishFailures: new Counter({
        name: 'tidings_backplane_publish_failures_total',
        help: 'Publishes Redis did not take (unreachable, or the connection dropped under them), by hub.',
        labelNames: ['hub'] as const,
        registers,
        collect: fold,
      }),
      received: new Counter({
        name: 'tidings_backplane_messages_received_total',
        help: "Messages this process received from Redis on its channels (its own sends included, then skipped), by hub.",
        labelNames: ['hub'] as const,
        registers,
        collect: fold,
      }),
      lag: new Histogram({
        name: 'tidings_backplane_delivery_lag_seconds',
        help: "Time from another node's publish of a send to its arrival here (the publisher's clock against this node's), by hub.",
        labelNames: ['hub'] as const,
        buckets: [...(options.lagBuckets ?? LAG_BUCKETS)],
        registers,
      }),
      connected: new Gauge({
        name: 'tidings_backplane_redis_connected',
        help: "1 while the Redis connection is ready, 0 while it is away, by hub and role (commands, subscriber).",
        labelNames: ['hub', 'role'] as const,
        registers,
        collect(): void {
          this.reset();
          // A process with several backplanes of one hub reports a role up only when all of them are.
          const states = new Map<string, { hub: string; role: string; up: boolean }>();
          for (const meter of meters) {
            for (const [role, up] of meter.links()) {
              const key = `${meter.hub}\u0000${role}`;
              const state = states.get(key);
              if (state) state.up &&= up;
              else states.set(key, { hub: meter.hub, role, up });
            }
          }
          for (const { hub, role, up } of states.values()) this.set({ hub, role }, up ? 1 : 0);
        },
      }),
    };
  }

  /** @internal One backplane's meter; it detaches when the backplane closes. */
  meter(hub: string, links: BackplaneLinks): BackplaneMeter {
    const meter = new BackplaneMeter(hub, this.instruments, links, (m) => this.meters.delete(m));
    this.meters.add(meter);
    return meter;
  }
}
