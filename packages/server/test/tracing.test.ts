import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { redisSkipReason } from '../../../test-support/redis-server.js';
import { scaledServiceFixture } from './support/scaled-service.js';
import { Type } from '@sinclair/typebox';
import { defineJobType } from '@tidings/jobs';
import { PIPELINE_STEPS, definePlugin } from '../src/index.js';
import { type RunningService, SEED_VIDEO_URL, awaitCompletion, serviceFixture } from './support/service.js';

// The SDK a user would register (here with the in-memory exporter instead of OTLP); the service depends on @opentelemetry/api only.
const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));

const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';

/** Ingests a video with the caller's `traceparent`, waits for the pipeline to complete, and checks its spans form one trace. */
async function ingestAndCheckTrace(service: RunningService): Promise<void> {
  exporter.reset();
  const ingest = await service.http('/api/v1/videos/ingest', {
    body: { url: SEED_VIDEO_URL, userId: 'tracer' },
    headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
  });
  assert.equal(ingest.status, 202);
  await awaitCompletion(service, ingest.body.jobId as string);
  const job = (await service.http(`/api/v1/jobs/${ingest.body.jobId}`)).body as { metadata: Record<string, unknown> };

  const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === CALLER_TRACE);
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
  const request = spans.find((s) => s.name === 'POST /api/v1/videos/ingest');
  assert.ok(request, `the REST span, in the caller's trace: ${spans.map((s) => s.name).join(', ')}`);
  assert.equal(request.kind, SpanKind.SERVER);
  assert.equal(parentOf(request), CALLER_SPAN);
  assert.equal(request.attributes['http.response.status_code'], 202);
  assert.equal(job.metadata.traceparent, `00-${CALLER_TRACE}-${request.spanContext().spanId}-01`, 'the job keeps the request span as its traceparent');

  for (const step of PIPELINE_STEPS) {
    const attempts = spans.filter((s) => s.name === `job ${step.type}`);
    assert.equal(attempts.length, 1, `one attempt span of ${step.type}`);
    const attempt = attempts[0]!;
    assert.equal(parentOf(attempt), request.spanContext().spanId, `${step.type}'s attempt is a child of the request`);
    assert.equal(attempt.attributes['tidings.job.attempt'], 1);
    const stages = spans.filter((s) => parentOf(s) === attempt.spanContext().spanId && s.name.startsWith('stage '));
    assert.ok(stages.length >= 2, `${step.type} has stage spans under its attempt`);
    for (const stage of stages) assert.ok(stage.endTime[0] > 0, 'every stage span ended');
  }
  assert.ok(
    spans.some((s) => s.name === 'stage Transcribing audio'),
    'seed 001 §8 stage names become span names',
  );
}

describe('a job traced from the REST request through its attempts and stages', () => {
  const fixture = serviceFixture({ config: { demoSpeed: 50 } });

  it("puts the request, every step attempt and every stage in the caller's trace", async () => {
    await ingestAndCheckTrace(fixture.service);
  });
});

describe('a job of an own type submitted over POST /api/v1/jobs is traced from that request', () => {
  const echo = defineJobType({
    name: 'TracedEcho',
    input: Type.Object({ text: Type.String() }, { additionalProperties: false }),
    async process(job, ctx) {
      await ctx.stage('Echoing', 10);
      return { result: job.input.text };
    },
  });
  const fixture = serviceFixture({ plugins: [definePlugin({ name: 'traced-echo', jobTypes: [echo], register() {} })] });

  it("puts the request and the job's attempt and stage in the caller's trace", async () => {
    exporter.reset();
    const submitted = await fixture.service.http('/api/v1/jobs', {
      body: { type: 'TracedEcho', input: { text: 'hi' } },
      headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
    });
    assert.equal(submitted.status, 202);
    const jobId = (submitted.body.job as { jobId: string }).jobId;
    await awaitCompletion(fixture.service, jobId);
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === CALLER_TRACE);
    const request = spans.find((s) => s.name === 'POST /api/v1/jobs');
    assert.ok(request, `the REST span, in the caller's trace: ${spans.map((s) => s.name).join(', ')}`);
    const attempt = spans.find((s) => s.name === 'job TracedEcho');
    assert.ok(attempt, 'the attempt span, in the same trace');
    assert.equal(attempt.parentSpanContext?.spanId, request.spanContext().spanId);
    assert.ok(spans.some((s) => s.name === 'stage Echoing' && s.parentSpanContext?.spanId === attempt.spanContext().spanId));
  });
});

describe('a job traced through Redis and BullMQ to a worker (scaled mode)', { skip: redisSkipReason }, () => {
  const scaled = scaledServiceFixture('traced', { config: { demoSpeed: 50 } });

  it('carries the trace in the stored job to the attempt a BullMQ worker runs', async () => {
    await ingestAndCheckTrace(scaled.service);
  });
});
