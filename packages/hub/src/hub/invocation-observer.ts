import type { Context, Span } from '@opentelemetry/api';
import type { HubMeter, InvocationOutcome } from '../metrics/hub-meter.js';
import { failSpan, startInvocationSpan } from '../tracing/hub-tracer.js';
import type { HubConnectionContext } from './hub-connection-context.js';
import { HubException } from './hub-exception.js';

/**
 * One invocation as metrics and traces see it: its span (`{hub}/{method}`),
 * its start time and, once it is over, its outcome. Ends once.
 */
export class InvocationObserver {
  private readonly startedAt: number;
  private ended = false;
  readonly span: Span | undefined;
  /** The context the hub method runs in, so spans it starts are children of the invocation's. */
  readonly context: Context | undefined;

  constructor(
    private readonly meter: HubMeter | undefined,
    /** The declared name, or undefined for a method the hub does not declare (no span then, as in ASP.NET). */
    private readonly method: string | undefined,
    service: string,
    connection: HubConnectionContext,
    headers: Readonly<Record<string, string>> | undefined,
  ) {
    this.startedAt = meter ? performance.now() : 0;
    if (method !== undefined) {
      const started = startInvocationSpan({
        service,
        method,
        connectionId: connection.connectionId,
        transport: connection.connection.transport,
        headers,
        origin: connection.connection.origin,
      });
      this.span = started?.span;
      this.context = started?.context;
    }
  }

  /** The outcome of a failure: a HubException, a cancellation, or any other error. */
  static outcomeOf(error: unknown, signal: AbortSignal | undefined): InvocationOutcome {
    if (error instanceof HubException) return 'hub_exception';
    if (signal?.aborted) return 'cancelled';
    return 'error';
  }

  end(outcome: InvocationOutcome, error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    const meter = this.meter;
    if (meter) meter.invocation(this.method).record(outcome, (performance.now() - this.startedAt) / 1000);
    const span = this.span;
    if (!span) return;
    if (outcome === 'cancelled') span.setAttribute('signalr.invocation.cancelled', true);
    else if (outcome !== 'ok') failSpan(span, error ?? new Error(outcome));
    span.end();
  }
}
