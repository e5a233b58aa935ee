/** The stacks the end-to-end scenario compares: the tidings service, and BullMQ + Socket.IO as a user would assemble it. */
export const SERVICE_STACK_NAMES = ['tidings-service', 'bullmq+socket.io'] as const;
export type ServiceStackName = (typeof SERVICE_STACK_NAMES)[number];

export interface ServiceStackOptions {
  /** A fresh directory for the service's files (its SQLite database). */
  readonly dataDir: string;
  /** The private redis-server (AOF on) BullMQ runs on. */
  readonly redisUrl?: string;
  /** Jobs that may run at once: every job of a round. */
  readonly concurrency: number;
}

/** A service running in the service worker, its clients connecting to `url`. */
export interface ServiceStack {
  /** Where clients connect (`http://127.0.0.1:port`). */
  readonly url: string;
  /** Enqueues `jobs` jobs of `steps` stamped steps; resolves with their ids once all are running, held before their first step. */
  prepare(jobs: number, steps: number): Promise<string[]>;
  /** Lets the prepared jobs go; returns the monotonic time it did. */
  release(): number;
  /** CPU the server side has used so far (this process, plus redis-server for BullMQ), in µs. */
  cpuMicros(): Promise<number>;
  close(): Promise<void>;
}
