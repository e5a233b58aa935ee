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
    /** A cap on the offered rate (messages/s), so a smoke run's tiny, noisy capacity cannot ask for a flood. */
    readonly maxRatePerSec?: number;
    readonly warmupMs: number;
    /** Length of each measured round; the median round's percentiles are reported. */
    readonly durationMs: number;
    readonly repetitions: number;
  };
  readonly jobs: JobSizes;
  readonly endToEnd: EndToEndSizes;
  readonly c100k: ScaleSizes;
  /** Longest a round may take before it counts as failed. */
  readonly roundTimeoutMs: number;
}

/** Jobs × progress steps through a job system, each step a jump big enough that every one is sent. */
export interface JobSizes {
  readonly jobs: number;
  readonly steps: number;
  /** Jobs running at once (the runner's or BullMQ worker's concurrency). */
  readonly concurrency: number;
  readonly warmupJobs: number;
  readonly repetitions: number;
}

/** Jobs running at once through the whole service, watched by `clients` connections (each job by one). */
export interface EndToEndSizes {
  readonly jobs: number;
  readonly steps: number;
  readonly clients: number;
  readonly warmupJobs: number;
  readonly repetitions: number;
}

/** Idle connections on one server and a fan-out to a group of `members` of them. */
export interface ScaleSizes {
  readonly connections: number;
  readonly members: number;
  readonly messages: number;
  readonly burst: number;
  /** Opened before the first memory sample (code and buffers made on first use are not per connection). */
  readonly warmupConnections: number;
  /** Loopback source addresses the clients spread over (127.0.0.2 up): each has its own ephemeral ports. */
  readonly sourceAddresses: number;
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
  latency: { clients: 200, warmupMs: 500, durationMs: 2000, repetitions: 3 },
  jobs: { jobs: 1000, steps: 20, concurrency: 32, warmupJobs: 100, repetitions: 3 },
  endToEnd: { jobs: 1000, steps: 20, clients: 200, warmupJobs: 100, repetitions: 3 },
  c100k: { connections: 100_000, members: 10_000, messages: 50, burst: 10, warmupConnections: 100, sourceAddresses: 8 },
  roundTimeoutMs: 60_000,
};

export const SMOKE_RUN: BenchConfig = {
  fanout: { clients: 3, messages: 20, burst: 5, warmupMessages: 5, repetitions: 1 },
  official: { clients: 2, messages: 10, burst: 5, warmupMessages: 5, repetitions: 1 },
  memory: { connections: 10, warmupConnections: 2, repetitions: 1 },
  latency: { clients: 3, maxRatePerSec: 500, warmupMs: 20, durationMs: 100, repetitions: 1 },
  jobs: { jobs: 6, steps: 4, concurrency: 4, warmupJobs: 2, repetitions: 1 },
  endToEnd: { jobs: 6, steps: 4, clients: 2, warmupJobs: 2, repetitions: 1 },
  c100k: { connections: 40, members: 10, messages: 5, burst: 5, warmupConnections: 4, sourceAddresses: 2 },
  roundTimeoutMs: 15_000,
};
