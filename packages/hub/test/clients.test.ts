import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import type { HubEndpoint } from '../src/server/hub-endpoint.js';
import type { RequestInfo } from '../src/connection/request-info.js';
import type { MemoryHubLifetimeManager } from '../src/lifetime/memory-lifetime-manager.js';
import { NEGOTIATED_CASES, connect, record, signalR } from './support/signalr.js';
import { type TestServer, startHubs } from './support/server.js';
import { delay, waitFor } from './support/wait.js';

interface Events {
  [method: string]: (...args: never[]) => unknown;
  Message(text: string): void;
}

/** Every addressing mode of HubCallerClients, driven by the client. */
class RoutingHub extends Hub<Events> {
  @hubMethod()
  async join(group: string) {
    await this.groups.addToGroup(this.context.connectionId, group);
  }
  @hubMethod()
  async leave(group: string) {
    await this.groups.removeFromGroup(this.context.connectionId, group);
  }
  @hubMethod()
  async toCaller(text: string) {
    await this.clients.caller.send('Message', text);
  }
  @hubMethod()
  async toOthers(text: string) {
    await this.clients.others.send('Message', text);
  }
  @hubMethod()
  async toAll(text: string) {
    await this.clients.all.send('Message', text);
  }
  @hubMethod()
  async toClient(id: string, text: string) {
    await this.clients.client(id).send('Message', text);
  }
  @hubMethod()
  async toClients(ids: string[], text: string) {
    await this.clients.clients(ids).send('Message', text);
  }
  @hubMethod()
  async toGroup(group: string, text: string) {
    await this.clients.group(group).send('Message', text);
  }
  @hubMethod()
  async toGroups(groups: string[], text: string) {
    await this.clients.groups(groups).send('Message', text);
  }
  @hubMethod()
  async toGroupExcept(group: string, excluded: string[], text: string) {
    await this.clients.groupExcept(group, excluded).send('Message', text);
  }
  @hubMethod()
  async toOthersInGroup(group: string, text: string) {
    await this.clients.othersInGroup(group).send('Message', text);
  }
  @hubMethod()
  async toUser(user: string, text: string) {
    await this.clients.user(user).send('Message', text);
  }
  @hubMethod()
  async toUsers(users: string[], text: string) {
    await this.clients.users(users).send('Message', text);
  }
  @hubMethod()
  async toAllExcept(excluded: string[], text: string) {
    await this.clients.allExcept(excluded).send('Message', text);
  }
  @hubMethod()
  whoAmI() {
    return this.context.userIdentifier ?? null;
  }
}

/** Test-only authenticator: the token is the user name. */
const tokenIsUser = (_request: RequestInfo, token: string | undefined) => (token ? { id: token, claims: { sub: token } } : null);

for (const clientCase of NEGOTIATED_CASES) {
  describe(`routing sends to the right connections (${clientCase.name})`, () => {
    let server: TestServer;
    let endpoint: HubEndpoint;
    let alice: signalR.HubConnection;
    let alice2: signalR.HubConnection;
    let bob: signalR.HubConnection;
    let inbox: Map<signalR.HubConnection, string[]>;

    before(async () => {
      server = await startHubs((hubs) => {
        endpoint = hubs.mapHub('/routing', RoutingHub, { authenticate: tokenIsUser });
      });
      const url = `${server.url}/routing`;
      alice = await connect(url, clientCase, { accessToken: 'alice' });
      alice2 = await connect(url, clientCase, { accessToken: 'alice' });
      bob = await connect(url, clientCase, { accessToken: 'bob' });
      inbox = new Map([alice, alice2, bob].map((c) => [c, record<string>(c, 'Message')]));
    });
    after(async () => {
      await Promise.all([alice, alice2, bob].map((c) => c.stop()));
      await server.close();
    });

    /** Runs `act`, waits for deliveries to settle, returns who received what and clears inboxes. */
    async function deliveries(act: () => Promise<unknown>, expected: number): Promise<{ alice: string[]; alice2: string[]; bob: string[] }> {
      await act();
      const total = () => [...inbox.values()].reduce((n, list) => n + list.length, 0);
      await waitFor(() => total() >= expected, 5000, `${expected} deliveries`);
      await delay(clientCase.transport === signalR.HttpTransportType.LongPolling ? 150 : 50); // nothing extra arrives
      const result = { alice: [...inbox.get(alice)!], alice2: [...inbox.get(alice2)!], bob: [...inbox.get(bob)!] };
      for (const list of inbox.values()) list.length = 0;
      return result;
    }

    it('knows each connection user', async () => {
      assert.equal(await alice.invoke('WhoAmI'), 'alice');
      assert.equal(await bob.invoke('WhoAmI'), 'bob');
    });

    it('caller, others, all', async () => {
      assert.deepEqual(await deliveries(() => alice.invoke('ToCaller', 'c'), 1), { alice: ['c'], alice2: [], bob: [] });
      assert.deepEqual(await deliveries(() => alice.invoke('ToOthers', 'o'), 2), { alice: [], alice2: ['o'], bob: ['o'] });
      assert.deepEqual(await deliveries(() => bob.invoke('ToAll', 'a'), 3), { alice: ['a'], alice2: ['a'], bob: ['a'] });
    });

    it('client(id), clients(ids), allExcept(ids)', async () => {
      assert.deepEqual(await deliveries(() => alice.invoke('ToClient', bob.connectionId, 'x'), 1), { alice: [], alice2: [], bob: ['x'] });
      assert.deepEqual(await deliveries(() => bob.invoke('ToClients', [alice.connectionId, alice2.connectionId], 'y'), 2), {
        alice: ['y'],
        alice2: ['y'],
        bob: [],
      });
      assert.deepEqual(await deliveries(() => bob.invoke('ToAllExcept', [alice.connectionId, bob.connectionId], 'z'), 1), {
        alice: [],
        alice2: ['z'],
        bob: [],
      });
    });

    it('user(id) reaches every connection of that user; users(ids) each once', async () => {
      assert.deepEqual(await deliveries(() => bob.invoke('ToUser', 'alice', 'u'), 2), { alice: ['u'], alice2: ['u'], bob: [] });
      assert.deepEqual(await deliveries(() => bob.invoke('ToUsers', ['alice', 'bob', 'alice'], 'v'), 3), {
        alice: ['v'],
        alice2: ['v'],
        bob: ['v'],
      });
    });

    it('group, groups (each member once), groupExcept, othersInGroup', async () => {
      await alice.invoke('Join', 'red');
      await bob.invoke('Join', 'red');
      await bob.invoke('Join', 'blue');
      await alice2.invoke('Join', 'blue');
      assert.deepEqual(await deliveries(() => alice2.invoke('ToGroup', 'red', 'g'), 2), { alice: ['g'], alice2: [], bob: ['g'] });
      assert.deepEqual(await deliveries(() => alice.invoke('ToGroups', ['red', 'blue'], 'gs'), 3), {
        alice: ['gs'],
        alice2: ['gs'],
        bob: ['gs'],
      });
      assert.deepEqual(await deliveries(() => alice.invoke('ToGroupExcept', 'red', [bob.connectionId], 'ge'), 1), {
        alice: ['ge'],
        alice2: [],
        bob: [],
      });
      assert.deepEqual(await deliveries(() => bob.invoke('ToOthersInGroup', 'blue', 'oig'), 1), { alice: [], alice2: ['oig'], bob: [] });
      await alice.invoke('Leave', 'red');
      assert.deepEqual(await deliveries(() => alice2.invoke('ToGroup', 'red', 'after-leave'), 1), {
        alice: [],
        alice2: [],
        bob: ['after-leave'],
      });
    });

    it('drops group membership when a connection goes away', async () => {
      const carol = await connect(`${server.url}/routing`, clientCase, { accessToken: 'carol' });
      await carol.invoke('Join', 'green');
      const manager = endpoint.lifetimeManager as MemoryHubLifetimeManager;
      assert.equal(manager.groupSize('green'), 1);
      const id = carol.connectionId!;
      await carol.stop();
      await waitFor(() => manager.groupSize('green') === 0, 5000, 'membership to be dropped');
      assert.deepEqual(manager.groupsOf(id), []);
      assert.equal(manager.connection(id), undefined);
    });

    it("reads users' connections, connections' groups and groups' members through the manager's presence", async () => {
      const dave = await connect(`${server.url}/routing`, clientCase, { accessToken: 'dave' });
      const dave2 = await connect(`${server.url}/routing`, clientCase, { accessToken: 'dave' });
      await dave.invoke('Join', 'navy');
      await dave.invoke('Join', 'teal');
      await dave2.invoke('Join', 'navy');
      const presence = endpoint.lifetimeManager.presence!;
      const [id, id2] = [dave.connectionId!, dave2.connectionId!];
      assert.deepEqual((await presence.getUserConnections('dave')).sort(), [id, id2].sort());
      assert.deepEqual((await presence.getGroupConnections('navy')).sort(), [id, id2].sort());
      assert.deepEqual((await presence.getConnectionGroups(id)).sort(), ['navy', 'teal']);
      assert.deepEqual(await presence.getGroupConnections('nobody-here'), []);
      await dave.stop();
      await waitFor(() => (endpoint.lifetimeManager as MemoryHubLifetimeManager).connection(id) === undefined, 5000, 'dave to leave');
      assert.deepEqual(await presence.getGroupConnections('navy'), [id2]);
      assert.deepEqual(await presence.getUserConnections('dave'), [id2]);
      await dave2.stop();
    });

    it('sends from outside the hub through the hub context', async () => {
      assert.deepEqual(await deliveries(() => endpoint.context.clients.user('bob').send('Message', 'ctx'), 1), {
        alice: [],
        alice2: [],
        bob: ['ctx'],
      });
    });
  });
}
