import type { BenchConfig } from '../config.js';
import type { SystemName } from '../server/system.js';

/** One row of `latest.json`: a scenario measured on one system. Figures a scenario does not measure are null. */
export interface ScenarioResult {
  readonly name: string;
  readonly system: SystemName;
  readonly clients: number;
  readonly messages: number;
  readonly deliveriesPerSec: number | null;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly rssPerConnKB: number | null;
  readonly heapPerConnKB: number | null;
  /**
   * The headline figure of each measured round, whose median is reported:
   * deliveries/s (fan-out), p99 ms (latency), RSS KB per connection (memory).
   */
  readonly samples?: readonly number[];
  /** CPU time the server and the client process spent per delivery (fan-out and latency scenarios). */
  readonly serverCpuNsPerDelivery?: number;
  readonly clientCpuNsPerDelivery?: number;
}

export type Log = (line: string) => void;

export interface ScenarioContext {
  readonly config: BenchConfig;
  readonly log: Log;
  /** Whether this run measures `system` (`--systems` narrows it while working on one). */
  wants(system: SystemName): boolean;
}

/** A measurement run on each of its systems, one after another. */
export interface Scenario {
  /** Short id for `--only`. */
  readonly id: string;
  readonly name: string;
  run(context: ScenarioContext): Promise<ScenarioResult[]>;
}

export function emptyFigures(): Pick<ScenarioResult, 'deliveriesPerSec' | 'p50Ms' | 'p99Ms' | 'rssPerConnKB' | 'heapPerConnKB'> {
  return { deliveriesPerSec: null, p50Ms: null, p99Ms: null, rssPerConnKB: null, heapPerConnKB: null };
}
