/** The job systems the jobs scenario compares. */
export const JOB_SYSTEM_NAMES = ['tidings-sqlite', 'tidings-redis', 'bullmq'] as const;
export type JobSystemName = (typeof JOB_SYSTEM_NAMES)[number];

export interface JobBenchOptions {
  /** Jobs running at once. */
  readonly concurrency: number;
  /** A fresh directory for files (the SQLite database). */
  readonly dataDir: string;
  /** The private redis-server (AOF on) of the systems on Redis. */
  readonly redisUrl?: string;
}

export interface JobRound {
  /** Monotonic time just before the first job was enqueued. */
  readonly startedAtUs: number;
  /** Monotonic time the last progress event reached the receiving end. */
  readonly lastAtUs: number;
}

/** A job system running in the jobs worker, with its receiving end (a sink, QueueEvents) counting progress events. */
export interface JobBench {
  /** Enqueues `jobs` jobs of `steps` progress steps each; resolves when every progress event has been received. */
  round(jobs: number, steps: number): Promise<JobRound>;
  /** CPU the server side has used so far: this process, plus redis-server for the systems on Redis (µs). */
  cpuMicros(): Promise<number>;
  close(): Promise<void>;
}
