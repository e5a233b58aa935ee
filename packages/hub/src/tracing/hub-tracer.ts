import { type Attributes, type Context, type Link, ROOT_CONTEXT, type Span, type SpanContext, SpanKind, SpanStatusCode, context, isSpanContextValid, propagation, trace } from '@opentelemetry/api';
import { TRANSPORT_ATTRIBUTE, type TransportName } from '../transports/transport.js';

/**
 * Spans of the hub, on OpenTelemetry's API only: with no SDK registered every
 * call is the API's no-op. Named and attributed as ASP.NET Core's
 * `Microsoft.AspNetCore.SignalR.Server` activity source does.
 */
const tracer = trace.getTracer('@tidings/hub');


/** The span active where a connection was created (its negotiate), which its invocation spans link to. */
export function activeSpanContext(): SpanContext | undefined {
  const spanContext = trace.getSpanContext(context.active());
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

export interface InvocationSpanInput {
  readonly service: string;
  readonly method: string;
  readonly connectionId: string;
  readonly transport: TransportName | undefined;
  /** The invocation's headers: a client may carry its trace context there (`traceparent`). */
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly origin: SpanContext | undefined;
}

/**
 * A server span per invocation, `{hub}/{method}`. Like ASP.NET's, it has no
 * parent unless the invocation's headers carry one (an invocation is not part of
 * the long-lived connection's trace) and links to the span that created the connection.
 */
export function startInvocationSpan(input: InvocationSpanInput): { span: Span; context: Context } | undefined {
  const parent = input.headers ? propagation.extract(ROOT_CONTEXT, input.headers) : ROOT_CONTEXT;
  const links: Link[] | undefined = input.origin ? [{ context: input.origin }] : undefined;
  const span = tracer.startSpan(`${input.service}/${input.method}`, { kind: SpanKind.SERVER, links }, parent);
  // With no SDK (or not sampled) the span records nothing: spare the attributes and the context.
  if (!span.isRecording()) return undefined;
  const attributes: Attributes = {
    'rpc.system': 'signalr',
    'rpc.service': input.service,
    'rpc.method': input.method,
    'signalr.connection.id': input.connectionId,
  };
  if (input.transport) attributes['signalr.transport'] = TRANSPORT_ATTRIBUTE[input.transport];
  span.setAttributes(attributes);
  return { span, context: trace.setSpan(parent, span) };
}

/** Marks a span failed as ASP.NET does: status Error and `error.type` (the error's name). */
export function failSpan(span: Span, error: unknown): void {
  const name = error instanceof Error ? error.name : typeof error;
  span.setAttribute('error.type', name);
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** A span around negotiate, under whatever span is active (an HTTP server span, when instrumented). */
export function startNegotiateSpan(path: string, service: string): { span: Span; context: Context } {
  const span = tracer.startSpan(`${service} negotiate`, {
    kind: SpanKind.INTERNAL,
    attributes: { 'rpc.system': 'signalr', 'rpc.service': service, 'url.path': `${path}/negotiate` },
  });
  return { span, context: trace.setSpan(context.active(), span) };
}

export { context as otelContext };
