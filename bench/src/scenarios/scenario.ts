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
  /** Deliveries per second of each measured round, to show the spread behind the median. */
  readonly samples?: readonly number[];
  /** p99 of each measured round of the latency scenario; `p99Ms` is their median. */
  readonly p99Samples?: readonly number[];
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
