import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Hub } from '../src/hub/hub.js';
import { HubException } from '../src/hub/hub-exception.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { type TestServer, startHubs } from './support/server.js';
import { ALL_CASES, connect } from './support/signalr.js';

class TracedHub extends Hub {
  @hubMethod()
  echo(value: string): string {
    return value;
  }

  @hubMethod('Fail')
  failing(): never {
    throw new TypeError('broken on purpose');
  }

  @hubMethod()
  refuse(): never {
    throw new HubException('not today');
  }

  /** Work the method traces itself belongs under the invocation's span. */
  @hubMethod()
  async nested(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return trace.getTracer('app').startActiveSpan('app work', (span) => {
      span.end();
      return span.spanContext().spanId;
    });
  }
}

const exporter = new InMemorySpanExporter();

describe('tracing (OpenTelemetry)', () => {
  let server: TestServer;

  before(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    server = await startHubs((hubs) => hubs.mapHub('/traced', TracedHub));
  });
  after(async () => {
    await server.close();
    trace.disable();
    context.disable();
  });
  beforeEach(() => exporter.reset());

  const spans = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((span) => span.name === name);

  for (const clientCase of [ALL_CASES[0]!, ALL_CASES.find((c) => c.name === 'LongPolling/MessagePack')!]) {
    it(`a span per negotiate and per invocation, with ASP.NET's names and attributes (${clientCase.name})`, async () => {
      const connection = await connect(`${server.url}/traced`, clientCase);
      try {
        const [negotiate] = spans('TracedHub negotiate');
        assert.ok(negotiate, 'a negotiate span');
        assert.equal(negotiate.attributes['rpc.system'], 'signalr');
        assert.equal(negotiate.attributes['rpc.service'], 'TracedHub');
        assert.equal(negotiate.attributes['url.path'], '/traced/negotiate');
        assert.equal(negotiate.attributes['signalr.connection.id'], connection.connectionId);
        assert.equal(negotiate.attributes['signalr.negotiate.version'], 1);

        assert.equal(await connection.invoke('echo', 'hi'), 'hi');
        const [echo] = spans('TracedHub/echo');
        assert.ok(echo, 'an invocation span named {hub}/{method}');
        assert.equal(echo.kind, SpanKind.SERVER);
        assert.deepEqual(echo.attributes, {
          'rpc.system': 'signalr',
          'rpc.service': 'TracedHub',
          'rpc.method': 'echo',
          'signalr.connection.id': connection.connectionId,
          'signalr.transport': clientCase.name.startsWith('WebSockets') ? 'web_sockets' : 'long_polling',
        });
        assert.equal(echo.status.code, SpanStatusCode.UNSET);
        // As in ASP.NET: no parent (an invocation is not part of the connection's trace), a link to where the connection began.
        assert.equal(echo.parentSpanContext, undefined);
        assert.equal(echo.links.length, 1);
        assert.equal(echo.links[0]!.context.spanId, negotiate.spanContext().spanId);
        assert.equal(echo.links[0]!.context.traceId, negotiate.spanContext().traceId);

        await assert.rejects(connection.invoke('Fail'));
        const [failed] = spans('TracedHub/Fail');
        assert.ok(failed, 'the wire name names the span');
        assert.equal(failed.status.code, SpanStatusCode.ERROR);
        assert.equal(failed.attributes['error.type'], 'TypeError');
        assert.equal(failed.attributes['rpc.method'], 'Fail');

        await assert.rejects(connection.invoke('refuse'), /not today/);
        const [refused] = spans('TracedHub/refuse');
        assert.equal(refused?.status.code, SpanStatusCode.ERROR);
        assert.equal(refused?.attributes['error.type'], 'HubException');

        const childId = await connection.invoke<string>('nested');
        const [nested] = spans('TracedHub/nested');
        const [child] = spans('app work');
        assert.equal(child?.spanContext().spanId, childId);
        assert.equal(child?.parentSpanContext?.spanId, nested?.spanContext().spanId, "the method's own span is a child of the invocation span");

        await assert.rejects(connection.invoke('noSuchMethod'));
        assert.equal(
          exporter.getFinishedSpans().filter((span) => span.name.startsWith('TracedHub/no')).length,
          0,
          'an undeclared method gets no span (its name is the client’s choice)',
        );
      } finally {
        await connection.stop();
      }
    });
  }

  it('a refused negotiate is a failed span with the status code', async () => {
    const refusing = await startHubs((hubs) => hubs.mapHub('/locked', TracedHub, { authenticate: () => null }));
    try {
      await assert.rejects(connect(`${refusing.url}/locked`, ALL_CASES[0]!));
      const [negotiate] = spans('TracedHub negotiate');
      assert.equal(negotiate?.status.code, SpanStatusCode.ERROR);
      assert.equal(negotiate?.attributes['http.response.status_code'], 401);
    } finally {
      await refusing.close();
    }
  });
});
