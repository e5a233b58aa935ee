import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { ALL_CASES, connect } from './support/signalr.js';
import { type TestServer, memoryLogger, startHubs } from './support/server.js';
import { waitFor } from './support/wait.js';

/** Deeper than @msgpack/msgpack's encoder accepts (100), well within what JSON.stringify writes. */
function nested(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

class BroadcastHub extends Hub {
  @hubMethod()
  async join(group: string) {
    await this.groups.addToGroup(this.context.connectionId, group);
  }

  @hubMethod()
  async shout(group: string, depth: number) {
    await this.clients.group(group).send('Deep', nested(depth));
    await this.clients.all.send('Deep', nested(depth));
    return 'sent';
  }
}

describe('a recipient whose protocol cannot encode a message stops no one else', () => {
  let server: TestServer;
  const logger = memoryLogger();

  before(async () => {
    server = await startHubs((hubs) => {
      hubs.mapHub('/broadcast', BroadcastHub);
    }, { logger });
  });
  after(() => server.close());

  it('JSON members after a MessagePack member still receive a group and an all send', async () => {
    const [json, msgpack] = [ALL_CASES[0]!, ALL_CASES[1]!];
    // MessagePack members join first, so the memory lifetime manager reaches them first.
    const first = await connect(`${server.url}/broadcast`, msgpack);
    const second = await connect(`${server.url}/broadcast`, msgpack);
    const third = await connect(`${server.url}/broadcast`, json);
    const received: unknown[] = [];
    third.on('Deep', (value: unknown) => received.push(value));
    for (const member of [first, second, third]) await member.invoke('Join', 'g');

    assert.equal(await third.invoke('Shout', 'g', 101), 'sent');
    await waitFor(() => received.length === 2, 5000, 'the JSON member to receive both sends');
    assert.deepEqual(received, [nested(101), nested(101)]);
    const failures = logger.entries.filter((e) => e.message === 'a message could not be encoded for this connection');
    assert.ok(failures.length >= 1, 'the failure is logged');
    // The MessagePack members stay connected and usable.
    assert.equal(await first.invoke('Shout', 'g', 3), 'sent');
    await Promise.all([first.stop(), second.stop(), third.stop()]);
  });
});
