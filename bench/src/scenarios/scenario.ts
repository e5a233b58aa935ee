import type { BenchConfig } from '../config.js';
/** One row of `latest.json`: a scenario measured on one system. Figures a scenario does not measure are null. */
export interface ScenarioResult {
  readonly name: string;
  /** A fan-out server (`SystemName`), or the job or service stack a jobs scenario measured. */
  readonly system: string;
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
  /**
   * CPU time (user + system) the server side spent per delivery over the
   * measured window: the server process (every node), plus redis-server where
   * the system runs on Redis. Null where nothing is delivered (memory).
   */
  readonly serverCpuNsPerDelivery?: number | null;
  readonly clientCpuNsPerDelivery?: number | null;
  /** What else the row needs said: the connections a scale scenario reached, the concurrency of a jobs run. */
  readonly note?: string;
}

export type Log = (line: string) => void;

export interface ScenarioContext {
  readonly config: BenchConfig;
  readonly log: Log;
  /** The rows of the scenarios run before this one (the latency sweep reads each system's fan-out capacity). */
  readonly earlier: readonly ScenarioResult[];
  /** Whether this run measures `system` (`--systems` narrows it while working on one). */
  wants(system: string): boolean;
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
