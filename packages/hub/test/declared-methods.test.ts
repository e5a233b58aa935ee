import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hub, type HubInvocationScope } from '../src/hub/hub.js';
import { HubDefinition } from '../src/hub/hub-definition.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { ALL_CASES, connect } from './support/signalr.js';
import { type TestServer, startHubs } from './support/server.js';

const touched: string[] = [];

const greeter = {
  greet(this: HubInvocationScope, name: string) {
    return `hello ${name}`;
  },
};

class AccountsHub extends Hub {
  static override hubMethods = { balance: {} };

  @hubMethod()
  deposit(amount: number) {
    this.audit(`deposit ${amount}`);
    return this.total() + amount;
  }

  @hubMethod('Withdraw')
  withdrawAsync(amount: number) {
    return this.total() - amount;
  }

  balance() {
    return this.total();
  }

  /** Public but never declared: a helper for the hub's own code. */
  audit(entry: string) {
    touched.push(entry);
  }

  /** TypeScript `private` leaves no trace at run time; it must still not be callable. */
  private total() {
    touched.push('total');
    return 100;
  }
}

class SavingsHub extends AccountsHub {
  @hubMethod()
  interest() {
    return 2;
  }

  helper() {
    return 'helper';
  }
}

describe('only declared hub methods can be invoked', () => {
  let server: TestServer;
  before(async () => {
    server = await startHubs((hubs) => {
      hubs.mapHub('/accounts', AccountsHub);
      hubs.mapHub('/savings', SavingsHub);
      hubs.mapHub('/object', greeter);
    });
  });
  after(() => server.close());

  for (const clientCase of [ALL_CASES[0]!, ALL_CASES[1]!]) {
    it(`declared methods answer, undeclared helpers are unknown (${clientCase.name})`, async () => {
      const connection = await connect(`${server.url}/accounts`, clientCase);
      touched.length = 0;
      assert.equal(await connection.invoke('Deposit', 5), 105);
      assert.equal(await connection.invoke('withdraw', 5), 95);
      assert.equal(await connection.invoke('BALANCE'), 100);
      for (const name of ['Audit', 'audit', 'Total', 'total', 'withdrawAsync', 'constructor']) {
        await assert.rejects(connection.invoke(name, 'x'), { message: `Failed to invoke '${name}' due to an error on the server. HubException: Method does not exist.` });
      }
      // The helpers ran for the declared methods only, never for a client naming them.
      assert.deepEqual(touched, ['deposit 5', 'total', 'total', 'total']);
      await connection.stop();
    });
  }

  it('a subclass keeps its parent’s declarations and adds its own', async () => {
    const connection = await connect(`${server.url}/savings`, ALL_CASES[0]!);
    assert.equal(await connection.invoke('Interest'), 2);
    assert.equal(await connection.invoke('Deposit', 1), 101);
    await assert.rejects(connection.invoke('Helper'), { message: "Failed to invoke 'Helper' due to an error on the server. HubException: Method does not exist." });
    await connection.stop();
  });

  it('an object hub declares each of its functions', async () => {
    const connection = await connect(`${server.url}/object`, ALL_CASES[0]!);
    assert.equal(await connection.invoke('Greet', 'ann'), 'hello ann');
    await connection.stop();
  });

  it('the callable surface is exactly what was declared', () => {
    assert.deepEqual(HubDefinition.fromClass(SavingsHub).methodNames.sort(), ['Withdraw', 'balance', 'deposit', 'interest']);
    assert.throws(() => HubDefinition.fromClass(class extends Hub {
      static override hubMethods = { missing: {} };
    }), /declares 'missing' in hubMethods, but the hub has no such method/);
  });
});
