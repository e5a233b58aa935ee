import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hub, type HubInvocationScope } from '../src/hub/hub.js';
import { HubException } from '../src/hub/hub-exception.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { ALL_CASES, connect, record } from './support/signalr.js';
import { type TestServer, startHubs } from './support/server.js';
import { waitFor } from './support/wait.js';

const lifecycle: string[] = [];

class LifecycleHub extends Hub {
  static override hubMethods = { renamedByStatic: { name: 'staticName' } };

  override async onConnected() {
    lifecycle.push(`connected:${this.context.connectionId}`);
    this.context.items.set('joinedAt', 'now');
    await this.clients.caller.send('Welcome', this.context.request.query.get('room'));
  }

  override async onDisconnected(error: Error | undefined) {
    lifecycle.push(`disconnected:${this.context.connectionId}:${error ? error.message : 'clean'}`);
  }

  @hubMethod('subscribeToJob')
  async subscribeToJobAsync(jobId: string) {
    return `subscribed ${jobId}`;
  }

  @hubMethod()
  renamedByStatic() {
    return 'static';
  }

  @hubMethod()
  item(key: string) {
    return this.context.items.get(key) ?? null;
  }

  @hubMethod()
  async delayed(ms: number, value: string) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return value;
  }

  @hubMethod()
  nothing(): void {}

  @hubMethod()
  nullResult() {
    return null;
  }

  @hubMethod()
  fail(): void {
    throw new HubException('visible');
  }

  _private() {
    return 'hidden';
  }

  @hubMethod()
  close() {
    this.context.abort();
  }
}

/** The same contract as an object of methods. */
const objectHub = {
  greet(this: HubInvocationScope, name: string) {
    return `hello ${name} from ${this.context.transport}`;
  },
};

describe('hub runtime', () => {
  let server: TestServer;
  before(async () => {
    server = await startHubs((hubs) => {
      hubs.mapHub('/life', LifecycleHub);
      hubs.mapHub('/object', objectHub);
    });
  });
  after(() => server.close());

  for (const clientCase of ALL_CASES) {
    it(`runs onConnected before invocations and onDisconnected after (${clientCase.name})`, async () => {
      const welcome: unknown[] = [];
      const { buildConnection } = await import('./support/signalr.js');
      const connection = buildConnection(`${server.url}/life?room=blue`, clientCase);
      connection.on('Welcome', (room: unknown) => welcome.push(room));
      await connection.start();
      const id = await connection.invoke<string>('GetConnectionIdViaItem').catch(() => undefined);
      assert.equal(id, undefined);
      assert.equal(await connection.invoke('Item', 'joinedAt'), 'now');
      await waitFor(() => welcome.length === 1, 3000, 'the welcome sent from onConnected');
      assert.deepEqual(welcome, ['blue']);
      const connectionId = [...lifecycle].reverse().find((entry) => entry.startsWith('connected:'))!.slice('connected:'.length);
      await connection.stop();
      await waitFor(() => lifecycle.includes(`disconnected:${connectionId}:clean`), 3000, 'onDisconnected');
    });
  }

  it('honours declared wire names and hides private methods', async () => {
    const connection = await connect(`${server.url}/life`, ALL_CASES[0]!);
    try {
      assert.equal(await connection.invoke('subscribeToJob', 'j1'), 'subscribed j1');
      assert.equal(await connection.invoke('SubscribeToJob', 'j2'), 'subscribed j2');
      await assert.rejects(connection.invoke('subscribeToJobAsync', 'j3'), /Method does not exist/);
      assert.equal(await connection.invoke('staticName'), 'static');
      await assert.rejects(connection.invoke('_private'), /Method does not exist/);
      await assert.rejects(connection.invoke('OnConnected'), /Method does not exist/);
    } finally {
      await connection.stop();
    }
  });

  it('returns async, void and null results', async () => {
    const connection = await connect(`${server.url}/life`, ALL_CASES[1]!);
    try {
      assert.equal(await connection.invoke('Delayed', 20, 'later'), 'later');
      assert.equal(await connection.invoke('Nothing'), undefined);
      assert.equal(await connection.invoke('NullResult'), null);
      await assert.rejects(connection.invoke('Fail'), /HubException: visible/);
    } finally {
      await connection.stop();
    }
  });

  it('runs one invocation at a time per client by default, in order', async () => {
    const connection = await connect(`${server.url}/life`, ALL_CASES[0]!);
    try {
      const order: string[] = [];
      await Promise.all([
        connection.invoke('Delayed', 80, 'slow').then((v: string) => order.push(v)),
        connection.invoke('Delayed', 1, 'fast').then((v: string) => order.push(v)),
      ]);
      assert.deepEqual(order, ['slow', 'fast']);
    } finally {
      await connection.stop();
    }
  });

  it('lets a hub close its connection', async () => {
    const connection = await connect(`${server.url}/life`, ALL_CASES[0]!);
    const closed = new Promise((resolve) => connection.onclose(resolve));
    await connection.send('Close');
    await closed;
  });

  it('serves object-style hubs with the invocation scope as this', async () => {
    const connection = await connect(`${server.url}/object`, ALL_CASES[5]!);
    try {
      assert.equal(await connection.invoke('Greet', 'ada'), 'hello ada from LongPolling');
    } finally {
      await connection.stop();
    }
  });

  it('refuses two methods whose names differ only in case', async () => {
    class Clash extends Hub {
      @hubMethod()
      run() {}
      @hubMethod()
      Run() {}
    }
    await assert.rejects(startHubs((hubs) => hubs.mapHub('/clash', Clash)), /Duplicate hub method name/);
  });

  void record;
});
