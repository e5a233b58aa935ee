import type { JobEvent } from '../model.js';

/**
 * Receives every stored job event, in sequence order per job. A sink that
 * throws, rejects or takes too long is logged and counted; the job goes on.
 */
export interface JobEventSink {
  /** For logs and metrics. */
  readonly name?: string;
  deliver(event: JobEvent): void | Promise<void>;
}
