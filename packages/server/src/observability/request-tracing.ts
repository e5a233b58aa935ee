import { type Span, SpanKind, SpanStatusCode, context as otelContext, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TRACEPARENT_KEY, formatTraceparent, parseTraceparent } from './trace-context.js';

const tracer = trace.getTracer('@tidings/server');
const spans = new WeakMap<FastifyRequest, Span>();

/**
 * A SERVER span per REST request under `prefix` (`POST /api/v1/videos/ingest`),
 * continuing the caller's trace when it sends a `traceparent` header. With no
 * OpenTelemetry SDK registered the spans are no-ops and nothing is recorded.
 */
export function traceRequests(app: FastifyInstance, prefix: string): void {
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith(prefix)) return;
    const remote = parseTraceparent(request.headers.traceparent);
    const parent = remote ? trace.setSpanContext(otelContext.active(), remote) : otelContext.active();
    const route = request.routeOptions.url ?? request.url.split('?')[0]!;
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url.split('?')[0]! } },
      parent,
    );
    spans.set(request, span);
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  app.addHook('onError', async (request, _reply, error) => {
    spans.get(request)?.recordException(error);
  });
}

/**
 * Metadata that puts a job created by `request` into the request's trace:
 * `{ traceparent }` while a tracer records the request, else nothing (no SDK,
 * or not sampled: jobs then carry no trace field at all).
 */
export function jobTraceMetadata(request: FastifyRequest): { readonly [TRACEPARENT_KEY]?: string } {
  const span = spans.get(request);
  if (!span?.isRecording()) return {};
  const traceparent = formatTraceparent(span.spanContext());
  return traceparent ? { [TRACEPARENT_KEY]: traceparent } : {};
}
