import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FlushScheduler } from '../src/connection/flush-scheduler.js';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import type { HubEndpoint } from '../src/server/hub-endpoint.js';
import { ALL_CASES, connect, signalR } from './support/signalr.js';
import { type TestServer, startHubs } from './support/server.js';
import { waitFor } from './support/wait.js';

interface Events {
  Update(sequence: number, payload: { jobId: string; progress: number; note: string }): void;
}

class GroupHub extends Hub<Events> {
  @hubMethod()
  async join(group: string) {
    await this.groups.addToGroup(this.context.connectionId, group);
  }
}

describe('fan-out: one serialization, one frame per connection per turn', () => {
  let server: TestServer;
  let endpoint: HubEndpoint<Events>;

  before(async () => {
    server = await startHubs((hubs) => {
      endpoint = hubs.mapHub<Events>('/fan', GroupHub);
    });
  });
  after(() => server.close());

  it('a burst of group sends in one turn reaches every member complete, identical and in order', async () => {
    // A mix of protocols and transports in one group: each protocol's bytes are made once
    // and shared, and members flushed in the same turn share joined frames.
    const cases = [ALL_CASES[0]!, ALL_CASES[1]!, ALL_CASES[4]!, ALL_CASES[5]!, ALL_CASES[6]!];
    const members: { connection: signalR.HubConnection; received: [number, unknown][] }[] = [];
    for (let i = 0; i < 20; i++) {
      const connection = await connect(`${server.url}/fan`, cases[i % cases.length]!);
      const received: [number, unknown][] = [];
      connection.on('Update', (sequence: number, payload: unknown) => received.push([sequence, payload]));
      await connection.invoke('Join', 'burst');
      members.push({ connection, received });
    }
    const outsider = await connect(`${server.url}/fan`, ALL_CASES[0]!);
    const outsiderReceived: unknown[] = [];
    outsider.on('Update', (s: unknown) => outsiderReceived.push(s));

    const COUNT = 300;
    const group = endpoint.context.clients.group('burst');
    // All sends in one synchronous turn, as a notifier flushing a backlog would.
    const sends: Promise<void>[] = [];
    for (let i = 1; i <= COUNT; i++) sends.push(group.send('Update', i, { jobId: 'j', progress: i % 101, note: 'x'.repeat(i % 50) }));
    await Promise.all(sends);

    await waitFor(() => members.every((m) => m.received.length >= COUNT), 20_000, 'every member to receive the burst');
    const expected = Array.from({ length: COUNT }, (_, k) => [k + 1, { jobId: 'j', progress: (k + 1) % 101, note: 'x'.repeat((k + 1) % 50) }]);
    for (const member of members) assert.deepEqual(member.received, expected);
    assert.deepEqual(outsiderReceived, []);
    await Promise.all([...members.map((m) => m.connection.stop()), outsider.stop()]);
  });
});

describe('flush scheduler', () => {
  it('coalesces schedules within a turn and still flushes after a slow run (timer path)', async () => {
    const scheduler = new FlushScheduler();
    const flushed: string[] = [];
    const slow = {
      flush() {
        const until = performance.now() + 3; // a flush run slower than the 1 ms threshold
        while (performance.now() < until);
        flushed.push('slow');
      },
    };
    const quick = { flush: () => flushed.push('quick') };
    scheduler.schedule(slow);
    scheduler.schedule(quick);
    assert.deepEqual(flushed, [], 'nothing flushes synchronously');
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(flushed, ['slow', 'quick']);
    // The previous run was slow, so the next waits for a timer instead of the end of the turn.
    scheduler.schedule(quick);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(flushed, ['slow', 'quick', 'quick']);
  });

  it('keeps flushing the others when one flush throws', async () => {
    const scheduler = new FlushScheduler();
    const flushed: string[] = [];
    scheduler.schedule({ flush: () => { throw new Error('broken transport'); } });
    scheduler.schedule({ flush: () => flushed.push('ok') });
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(flushed, ['ok']);
  });
});
