import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { Hub } from '../src/hub/hub.js';
import { HubException } from '../src/hub/hub-exception.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { HubMetrics } from '../src/metrics/hub-metrics.js';
import { type TestServer, startHubs } from './support/server.js';
import { ALL_CASES, type ClientCase, closed, connect, signalR } from './support/signalr.js';
import { waitFor, within } from './support/wait.js';

class MeteredHub extends Hub {
  @hubMethod()
  echo(value: string): string {
    return value;
  }

  @hubMethod()
  fail(): never {
    throw new Error('broken on purpose');
  }

  @hubMethod()
  refuse(): never {
    throw new HubException('not today');
  }

  @hubMethod()
  async join(group: string): Promise<void> {
    await this.groups.addToGroup(this.context.connectionId, group);
  }

  @hubMethod()
  async *ticks(): AsyncGenerator<number> {
    for (let i = 0; ; i++) {
      yield i;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

const HUB = '/metered';
type Labels = Record<string, string>;

/** Reads one sample of a series (a histogram's `_count` with `suffix`); 0 when it has not appeared yet. */
async function sample(registry: Registry, name: string, labels: Labels, suffix = ''): Promise<number> {
  const metric = registry.getSingleMetric(name);
  assert.ok(metric, `${name} is registered`);
  const { values } = await metric.get();
  const found = values.find(
    (v) => (suffix === '' || (v as { metricName?: string }).metricName === `${name}${suffix}`) && Object.entries(labels).every(([k, value]) => v.labels[k] === value),
  );
  return found?.value ?? 0;
}

const TRANSPORT_LABEL: Record<number, string> = {
  [signalR.HttpTransportType.WebSockets]: 'web_sockets',
  [signalR.HttpTransportType.ServerSentEvents]: 'server_sent_events',
  [signalR.HttpTransportType.LongPolling]: 'long_polling',
};

// Long keep-alives on both sides: the only messages are the ones each test sends, so counts are exact.
const QUIET = { keepAliveIntervalMs: 120_000, clientTimeoutMs: 240_000 };
const QUIET_CLIENT = { keepAliveMs: 120_000, serverTimeoutMs: 240_000 };

describe('hub metrics (Prometheus)', () => {
  const registry = new Registry();
  const metrics = new HubMetrics({ registry });
  let server: TestServer;

  before(async () => {
    server = await startHubs(
      (hubs) => {
        hubs.mapHub(HUB, MeteredHub, { maxReceiveMessageSize: 1024 });
        hubs.mapHub('/secure', MeteredHub, { authenticate: () => null });
      },
      { metrics, ...QUIET },
    );
  });
  after(() => server.close());

  const cases = ALL_CASES.filter((c) => !c.skipNegotiation || c.protocol === 'messagepack');
  for (const clientCase of cases) {
    it(`counts a connection's life, invocations, messages and groups (${clientCase.name})`, async () => {
      const transport = TRANSPORT_LABEL[clientCase.transport]!;
      const protocol = clientCase.protocol;
      const read = (name: string, labels: Labels, suffix?: string) => sample(registry, name, { hub: HUB, ...labels }, suffix);
      await waitFor(() => server.hubs.endpoint(HUB)!.connectionCount === 0, 5000, 'earlier connections to be gone');
      const before = {
        active: await read('signalr_server_active_connections', { signalr_transport: transport }),
        sent: await read('signalr_server_messages_sent_total', { protocol }),
        sentBytes: await read('signalr_server_sent_bytes_total', { protocol }),
        received: await read('signalr_server_messages_received_total', { protocol }),
        receivedBytes: await read('signalr_server_received_bytes_total', { protocol }),
        ok: await read('signalr_server_invocations_total', { rpc_method: 'echo', outcome: 'ok' }),
        okTimed: await read('signalr_server_invocation_duration_seconds', { rpc_method: 'echo', outcome: 'ok' }, '_count'),
        error: await read('signalr_server_invocations_total', { rpc_method: 'fail', outcome: 'error' }),
        hubException: await read('signalr_server_invocations_total', { rpc_method: 'refuse', outcome: 'hub_exception' }),
        unknown: await read('signalr_server_invocations_total', { rpc_method: '(unknown)', outcome: 'error' }),
        joins: await read('signalr_server_invocations_total', { rpc_method: 'join', outcome: 'ok' }),
        clientClosed: await read('signalr_server_connections_closed_total', { reason: 'client_close' }),
        normalDurations: await read(
          'signalr_server_connection_duration_seconds',
          { signalr_transport: transport, signalr_connection_status: 'normal_closure' },
          '_count',
        ),
      };

      const connection = await connect(`${server.url}${HUB}`, clientCase, QUIET_CLIENT);
      try {
        assert.equal(await read('signalr_server_active_connections', { signalr_transport: transport }), before.active + 1);

        assert.equal(await connection.invoke('echo', 'hi'), 'hi');
        await assert.rejects(connection.invoke('fail'));
        await assert.rejects(connection.invoke('refuse'), /not today/);
        await assert.rejects(connection.invoke('noSuchMethod'), /Method does not exist/);
        await connection.invoke('join', 'a');
        await connection.invoke('join', 'b');

        assert.equal(await read('signalr_server_invocations_total', { rpc_method: 'echo', outcome: 'ok' }), before.ok + 1);
        assert.equal(await read('signalr_server_invocation_duration_seconds', { rpc_method: 'echo', outcome: 'ok' }, '_count'), before.okTimed + 1);
        assert.equal(await read('signalr_server_invocations_total', { rpc_method: 'fail', outcome: 'error' }), before.error + 1);
        assert.equal(await read('signalr_server_invocations_total', { rpc_method: 'refuse', outcome: 'hub_exception' }), before.hubException + 1);
        assert.equal(await read('signalr_server_invocations_total', { rpc_method: '(unknown)', outcome: 'error' }), before.unknown + 1);
        assert.equal(await read('signalr_server_invocations_total', { rpc_method: 'join', outcome: 'ok' }), before.joins + 2);
        assert.equal(await read('signalr_server_group_memberships', {}), 2);
        // Six invocations in (and the Ping the official client sends after its handshake on some transports);
        // the handshake answer and six completions out.
        const received = (await read('signalr_server_messages_received_total', { protocol })) - before.received;
        assert.ok(received === 6 || received === 7, `received ${received} messages`);
        assert.equal(await read('signalr_server_messages_sent_total', { protocol }), before.sent + 7);
        assert.ok((await read('signalr_server_received_bytes_total', { protocol })) > before.receivedBytes + 6);
        assert.ok((await read('signalr_server_sent_bytes_total', { protocol })) > before.sentBytes + 7);
        assert.equal(await read('signalr_server_unsent_bytes', {}), 0);
      } finally {
        await connection.stop();
      }
      await waitFor(
        () => server.hubs.endpoint(HUB)!.connectionCount === 0,
        5000,
        'the server to see the client leave',
      );
      assert.equal(await read('signalr_server_active_connections', { signalr_transport: transport }), before.active);
      assert.equal(await read('signalr_server_connections_closed_total', { reason: 'client_close' }), before.clientClosed + 1);
      assert.equal(
        await read('signalr_server_connection_duration_seconds', { signalr_transport: transport, signalr_connection_status: 'normal_closure' }, '_count'),
        before.normalDurations + 1,
      );
      assert.equal(await read('signalr_server_group_memberships', {}), 0);
    });
  }

  it('counts a stream the client cancels as cancelled', async () => {
    const read = () => sample(registry, 'signalr_server_invocations_total', { hub: HUB, rpc_method: 'ticks', outcome: 'cancelled' });
    const before = await read();
    const connection = await connect(`${server.url}${HUB}`, ALL_CASES[0]!, QUIET_CLIENT);
    try {
      const first = new Promise<void>((resolve, reject) => {
        const subscription = connection.stream<number>('ticks').subscribe({
          next: () => {
            subscription.dispose();
            resolve();
          },
          complete: () => {},
          error: reject,
        });
      });
      await first;
      await within(
        (async () => {
          while ((await read()) !== before + 1) await new Promise((resolve) => setTimeout(resolve, 10));
        })(),
        5000,
        'the cancelled stream to be counted',
      );
    } finally {
      await connection.stop();
    }
  });

  for (const clientCase of ALL_CASES.filter((c) => c.name.startsWith('WebSockets') && !c.skipNegotiation)) {
    it(`counts a connection closed for an oversize message (${clientCase.name})`, async () => {
      const read = (name: string, labels: Labels, suffix?: string) => sample(registry, name, { hub: HUB, ...labels }, suffix);
      const before = await read('signalr_server_connections_closed_total', { reason: 'oversize' });
      const connection = await connect(`${server.url}${HUB}`, clientCase, QUIET_CLIENT);
      const error = closed(connection);
      void connection.invoke('echo', 'x'.repeat(2048)).catch(() => {});
      assert.match((await within(error, 5000, 'the close'))?.message ?? '', /maximum message size of 1024 bytes/);
      await waitFor(() => server.hubs.endpoint(HUB)!.connectionCount === 0, 5000, 'the server to drop it');
      assert.equal(await read('signalr_server_connections_closed_total', { reason: 'oversize' }), before + 1);
    });
  }

  it('counts refused credentials as auth_failed', async () => {
    const read = () => sample(registry, 'signalr_server_connections_closed_total', { hub: '/secure', reason: 'auth_failed' });
    const before = await read();
    await assert.rejects(connect(`${server.url}/secure`, ALL_CASES[0]!));
    assert.equal(await read(), before + 1);
  });

  it('names every series in the exposition text, labelled by hub', async () => {
    const text = await registry.metrics();
    for (const name of [
      'signalr_server_active_connections',
      'signalr_server_connection_duration_seconds_bucket',
      'signalr_server_connections_closed_total',
      'signalr_server_messages_sent_total',
      'signalr_server_sent_bytes_total',
      'signalr_server_messages_received_total',
      'signalr_server_received_bytes_total',
      'signalr_server_invocations_total',
      'signalr_server_invocation_duration_seconds_bucket',
      'signalr_server_group_memberships',
      'signalr_server_unsent_bytes',
    ]) {
      assert.match(text, new RegExp(`^${name}\\{[^}]*hub="${HUB}"`, 'm'), `${name} is exposed`);
    }
  });
});

describe('hub metrics at shutdown', () => {
  it('reports connections the server closes as server_shutdown / app_shutdown', async () => {
    const registry = new Registry();
    const server = await startHubs((hubs) => hubs.mapHub(HUB, MeteredHub), { metrics: new HubMetrics({ registry }) });
    const clientCase: ClientCase = ALL_CASES[0]!;
    const connection = await connect(`${server.url}${HUB}`, clientCase, QUIET_CLIENT);
    const gone = closed(connection);
    await server.close();
    await within(gone, 5000, 'the client to see the close');
    assert.equal(await sample(registry, 'signalr_server_connections_closed_total', { hub: HUB, reason: 'server_shutdown' }), 1);
    assert.equal(
      await sample(
        registry,
        'signalr_server_connection_duration_seconds',
        { hub: HUB, signalr_transport: 'web_sockets', signalr_connection_status: 'app_shutdown' },
        '_count',
      ),
      1,
    );
    assert.equal(await sample(registry, 'signalr_server_active_connections', { hub: HUB, signalr_transport: 'web_sockets' }), 0);
  });
});
