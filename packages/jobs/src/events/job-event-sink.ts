import { errorMessage } from '../errors.js';
import type { JobLogger } from '../logger.js';
import type { JobEvent } from '../model.js';
import { SinkDeadlines } from './sink-deadlines.js';

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

/** Every delivery's timeout, on one timer. */
const deadlines = new SinkDeadlines();

const settled: Promise<void> = Promise.resolve();

/**
 * Hands `event` to every sink at once; resolves when each has finished,
 * failed or timed out. A failure is logged and counted, never thrown. A sink
 * that returns no promise is done when it returns: it costs no timeout.
 */
export function deliverToSinks(sinks: Iterable<JobEventSink>, event: JobEvent, delivery: SinkDelivery): Promise<void> {
  let waiting: Promise<void>[] | undefined;
  for (const sink of sinks) {
    const pending = deliverToSink(sink, event, delivery);
    if (pending) (waiting ??= []).push(pending);
  }
  if (!waiting) return settled;
  return waiting.length === 1 ? waiting[0]! : Promise.all(waiting).then(() => undefined);
}

function deliverToSink(sink: JobEventSink, event: JobEvent, delivery: SinkDelivery): Promise<void> | undefined {
  let result: void | Promise<unknown>;
  try {
    result = sink.deliver(event);
  } catch (error) {
    failed(sink, event, delivery, error);
    return undefined;
  }
  if (!isPromiseLike(result)) return undefined;
  return deadlines.within(result, delivery.timeoutMs).then(
    () => undefined,
    (error: unknown) => failed(sink, event, delivery, error),
  );
}

function failed(sink: JobEventSink, event: JobEvent, delivery: SinkDelivery, error: unknown): void {
  delivery.metrics.sinkFailures++;
  delivery.logger.warn(
    { jobId: event.jobId, sequence: event.sequence, sink: sink.name ?? 'anonymous', error: errorMessage(error) },
    'a job event sink failed; delivery goes on',
  );
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}
