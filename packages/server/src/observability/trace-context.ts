import { type SpanContext, TraceFlags, isSpanContextValid } from '@opentelemetry/api';
import { TRACEPARENT_KEY } from '@tidings/contract';

/**
 * Where a job keeps the trace it belongs to: `job.metadata.traceparent`, a W3C
 * `traceparent` (https://www.w3.org/TR/trace-context/). Metadata travels with
 * the job through the store (SQLite, or Redis to a worker) and is copied to a
 * flow's steps, so every attempt of every step joins the request's trace.
 * Set only when a tracer records the request (an SDK is registered). The key
 * is the wire contract's: hub payloads leave it out of the metadata they show.
 */
export { TRACEPARENT_KEY };

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** `context` as a `traceparent` value, or undefined when it is not a valid, recorded context. */
export function formatTraceparent(context: SpanContext): string | undefined {
  if (!isSpanContextValid(context)) return undefined;
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & TraceFlags.SAMPLED ? 1 : 0).toString(16).padStart(2, '0')}`;
}

/** The span context a `traceparent` value names, or undefined when it is malformed. */
export function parseTraceparent(value: unknown): SpanContext | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!match) return undefined;
  const context: SpanContext = { traceId: match[1]!, spanId: match[2]!, traceFlags: parseInt(match[3]!, 16) & TraceFlags.SAMPLED, isRemote: true };
  return isSpanContextValid(context) ? context : undefined;
}
