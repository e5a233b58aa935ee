/** Sizes of every scenario; the full run is the issue's, the smoke run proves the machinery in seconds. */
export interface BenchConfig {
  readonly fanout: FanoutSizes;
  readonly official: FanoutSizes;
  readonly memory: {
    readonly connections: number;
    /** Opened before the first sample, so code and buffers created on first use are not charged per connection. */
    readonly warmupConnections: number;
    /** Fresh servers measured; the median is reported. */
    readonly repetitions: number;
  };
  readonly latency: {
    readonly clients: number;
    readonly ratePerSec: number;
    readonly warmupMs: number;
    /** Length of each measured round; the median round's percentiles are reported. */
    readonly durationMs: number;
    readonly repetitions: number;
  };
  /** Longest a round may take before it counts as failed. */
  readonly roundTimeoutMs: number;
}

export interface FanoutSizes {
  readonly clients: number;
  readonly messages: number;
  /** Sends per event-loop turn before the sender yields (the same for every system). */
  readonly burst: number;
  readonly warmupMessages: number;
  /** Measured rounds; the median is reported. */
  readonly repetitions: number;
}

export const FULL_RUN: BenchConfig = {
  fanout: { clients: 200, messages: 2000, burst: 20, warmupMessages: 500, repetitions: 3 },
  official: { clients: 50, messages: 2000, burst: 20, warmupMessages: 500, repetitions: 3 },
  memory: { connections: 5000, warmupConnections: 100, repetitions: 3 },
  latency: { clients: 200, ratePerSec: 1000, warmupMs: 1000, durationMs: 4000, repetitions: 3 },
  roundTimeoutMs: 60_000,
};

export const SMOKE_RUN: BenchConfig = {
  fanout: { clients: 3, messages: 20, burst: 5, warmupMessages: 5, repetitions: 1 },
  official: { clients: 2, messages: 10, burst: 5, warmupMessages: 5, repetitions: 1 },
  memory: { connections: 10, warmupConnections: 2, repetitions: 1 },
  latency: { clients: 3, ratePerSec: 200, warmupMs: 50, durationMs: 200, repetitions: 1 },
  roundTimeoutMs: 15_000,
};
