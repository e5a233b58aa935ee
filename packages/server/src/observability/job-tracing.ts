import { type Span, SpanKind, SpanStatusCode, context as otelContext, trace } from '@opentelemetry/api';
import type { JobProcessor, ProcessorContext } from '@tidings/jobs';
import { TRACEPARENT_KEY, parseTraceparent } from './trace-context.js';

const tracer = trace.getTracer('@tidings/server');

/**
 * `processor`, traced: each attempt is a span (`job {type}`) in the trace of
 * the request that created the job (its `metadata.traceparent`) — in whatever
 * process runs it, a worker included — and each `ctx.stage` a child span
 * lasting until the next stage or the attempt's end. The processor runs with
 * the attempt's span active, so spans it makes (an HTTP call, a query) join
 * the trace too. Without an SDK every span is a no-op.
 */
export function tracedProcessor(type: string, processor: JobProcessor): JobProcessor {
  return async (job, ctx) => {
    const remote = parseTraceparent(job.metadata[TRACEPARENT_KEY]);
    const parent = remote ? trace.setSpanContext(otelContext.active(), remote) : otelContext.active();
    const attempt = tracer.startSpan(
      `job ${type}`,
      { kind: SpanKind.CONSUMER, attributes: { 'tidings.job.id': job.id, 'tidings.job.type': type, 'tidings.job.attempt': job.attempt } },
      parent,
    );
    const attemptContext = trace.setSpan(parent, attempt);
    let stage: Span | undefined;
    const endStage = () => {
      stage?.end();
      stage = undefined;
    };
    const traced = new Proxy(ctx, {
      get(target, property) {
        if (property === 'stage') {
          return (name: string, percent: number, message?: string) => {
            endStage();
            stage = tracer.startSpan(`stage ${name}`, { attributes: { 'tidings.job.stage': name, 'tidings.job.progress': percent } }, attemptContext);
            return target.stage(name, percent, message);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) satisfies ProcessorContext;
    try {
      const outcome = await otelContext.with(attemptContext, () => processor(job, traced));
      attempt.setStatus({ code: SpanStatusCode.OK });
      return outcome;
    } catch (error) {
      if (stage) stage.setStatus({ code: SpanStatusCode.ERROR });
      attempt.recordException(error instanceof Error ? error : String(error));
      attempt.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      endStage();
      attempt.end();
    }
  };
}
