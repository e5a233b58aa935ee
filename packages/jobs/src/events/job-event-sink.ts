import { errorMessage } from '../errors.js';
import type { JobLogger } from '../logger.js';
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

export interface SinkDelivery {
  /** A sink that has not finished with the event after this long is counted as failed. */
  readonly timeoutMs: number;
  readonly logger: JobLogger;
  /** Where failed deliveries are counted. */
  readonly metrics: { sinkFailures: number };
}

/**
 * Hands `event` to every sink at once; resolves when each has finished,
 * failed or timed out. A failure is logged and counted, never thrown.
 */
export async function deliverToSinks(sinks: Iterable<JobEventSink>, event: JobEvent, delivery: SinkDelivery): Promise<void> {
  await Promise.all(
    [...sinks].map(async (sink) => {
      try {
        await withTimeout((async () => sink.deliver(event))(), delivery.timeoutMs);
      } catch (error) {
        delivery.metrics.sinkFailures++;
        delivery.logger.warn(
          { jobId: event.jobId, sequence: event.sequence, sink: sink.name ?? 'anonymous', error: errorMessage(error) },
          'a job event sink failed; delivery goes on',
        );
      }
    }),
  );
}

function withTimeout(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
