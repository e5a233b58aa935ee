import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { MemoryHubLifetimeManager } from '../src/lifetime/memory-lifetime-manager.js';
import type { HubEndpoint } from '../src/server/hub-endpoint.js';
import { ALL_CASES, connect } from './support/signalr.js';
import { type TestServer, startHubs } from './support/server.js';

class SubscribeHub extends Hub {
  @hubMethod()
  async subscribe(name: string) {
    await this.groups.addToGroup(this.context.connectionId, name);
  }

  @hubMethod()
  async unsubscribe(name: string) {
    await this.groups.removeFromGroup(this.context.connectionId, name);
  }

  @hubMethod()
  connectionId() {
    return this.context.connectionId;
  }
}

describe('group names and groups per connection are bounded', () => {
  let server: TestServer;
  let limited: HubEndpoint;
  let defaults: HubEndpoint;

  before(async () => {
    server = await startHubs((hubs) => {
      limited = hubs.mapHub('/limited', SubscribeHub, { maxGroupsPerConnection: 3, maxGroupNameLength: 16 });
      defaults = hubs.mapHub('/defaults', SubscribeHub, { maxReceiveMessageSize: 128 * 1024 });
    });
  });
  after(() => server.close());

  it('a connection in as many groups as allowed is refused another, with nothing joined', async () => {
    const connection = await connect(`${server.url}/limited`, ALL_CASES[0]!);
    const id = (await connection.invoke('ConnectionId')) as string;
    const manager = limited.lifetimeManager as MemoryHubLifetimeManager;
    for (const name of ['a', 'b', 'c']) await connection.invoke('Subscribe', name);
    await connection.invoke('Subscribe', 'b'); // already a member: not a new group
    await assert.rejects(connection.invoke('Subscribe', 'd'), {
      message: "An unexpected error occurred invoking 'Subscribe' on the server. HubException: Cannot join group 'd': the connection is already in 3 groups, the most allowed.",
    });
    assert.deepEqual(manager.groupsOf(id), ['a', 'b', 'c']);
    assert.equal(manager.groupSize('d'), 0);
    // Code outside the hub goes through the same check.
    await assert.rejects(limited.context.groups.addToGroup(id, 'e'), /already in 3 groups/);
    await connection.invoke('Unsubscribe', 'a');
    await connection.invoke('Subscribe', 'd');
    assert.deepEqual(manager.groupsOf(id), ['b', 'c', 'd']);
    await connection.stop();
  });

  it('a group name longer than allowed is refused', async () => {
    const connection = await connect(`${server.url}/limited`, ALL_CASES[1]!);
    const id = (await connection.invoke('ConnectionId')) as string;
    await connection.invoke('Subscribe', 'x'.repeat(16));
    await assert.rejects(connection.invoke('Subscribe', 'x'.repeat(17)), {
      message: "An unexpected error occurred invoking 'Subscribe' on the server. HubException: Cannot join a group whose name is longer than 16 characters.",
    });
    assert.deepEqual((limited.lifetimeManager as MemoryHubLifetimeManager).groupsOf(id), ['x'.repeat(16)]);
    await connection.stop();
  });

  it('the defaults bound a hub that sets nothing (1,000 calls with 90 KB names hold no 90 MB)', async () => {
    assert.equal(defaults.options.maxGroupsPerConnection, 100);
    assert.equal(defaults.options.maxGroupNameLength, 1024);
    const connection = await connect(`${server.url}/defaults`, ALL_CASES[0]!);
    const id = (await connection.invoke('ConnectionId')) as string;
    await assert.rejects(connection.invoke('Subscribe', 'x'.repeat(90 * 1024)), /longer than 1024 characters/);
    for (let i = 0; i < 100; i++) await connection.invoke('Subscribe', `g${i}`);
    await assert.rejects(connection.invoke('Subscribe', 'one-more'), /already in 100 groups/);
    assert.equal((defaults.lifetimeManager as MemoryHubLifetimeManager).groupsOf(id).length, 100);
    await connection.stop();
  });
});
