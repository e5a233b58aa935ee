import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestHub } from '../src/conformance/test-hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import type { SingleClientProxy } from '../src/hub/clients.js';
import type { HubEndpoint } from '../src/server/hub-endpoint.js';
import { NEGOTIATED_CASES, connect, signalR } from './support/signalr.js';
import { type TestServer, startHubs } from './support/server.js';

class ResultsHub extends TestHub {
  @hubMethod()
  async askWithTimeout(method: string, timeoutMs: number): Promise<unknown> {
    return this.clients.caller.invokeWithOptions({ timeoutMs }, method);
  }

  @hubMethod()
  async askThenCancel(method: string, afterMs: number): Promise<unknown> {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), afterMs);
    return this.clients.caller.invokeWithOptions({ signal: controller.signal, timeoutMs: 10_000 }, method);
  }

  @hubMethod()
  async askOther(connectionId: string, method: string, value: number): Promise<unknown> {
    // Any client method, with an argument: outside TestHub's declared contract.
    const client: SingleClientProxy = this.clients.client(connectionId) as unknown as SingleClientProxy;
    return client.invoke(method, value);
  }
}

describe('client results', () => {
  let server: TestServer;
  let endpoint: HubEndpoint;

  before(async () => {
    server = await startHubs((hubs) => {
      endpoint = hubs.mapHub('/results', ResultsHub, { maximumParallelInvocationsPerClient: 2 });
    });
  });
  after(() => server.close());

  for (const clientCase of NEGOTIATED_CASES) {
    describe(clientCase.name, () => {
      let connection: signalR.HubConnection;
      before(async () => {
        connection = await connect(`${server.url}/results`, clientCase);
        connection.on('Result', () => 42);
        connection.on('AsyncResult', async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return { answer: 'later' };
        });
        connection.on('Throws', () => {
          throw new Error('client-side failure');
        });
        connection.on('Never', () => new Promise(() => {}));
        connection.on('Double', (value: number) => value * 2);
      });
      after(() => connection.stop());

      it('returns what the client handler returns', async () => {
        assert.equal(await connection.invoke('GetClientResult', 'Result'), 42);
        assert.deepEqual(await connection.invoke('GetClientResult', 'AsyncResult'), { answer: 'later' });
      });

      it('fails clearly when the client has no handler or its handler throws', async () => {
        await assert.rejects(connection.invoke('GetClientResult', 'NoSuchHandler'), {
          message: "An unexpected error occurred invoking 'GetClientResult' on the server. HubException: Client didn't provide a result.",
        });
        await assert.rejects(connection.invoke('GetClientResult', 'Throws'), /HubException: Error: client-side failure/);
      });

      it('times out, and honours an AbortSignal', async () => {
        await assert.rejects(connection.invoke('AskWithTimeout', 'Never', 150), /Client did not return a result for 'Never' within 150 ms/);
        await assert.rejects(connection.invoke('AskThenCancel', 'Never', 50), /The client result invocation was canceled/);
      });

      it('works from outside the hub through the hub context', async () => {
        const id = connection.connectionId ?? (await connection.invoke<string>('GetCallerConnectionId'));
        assert.equal(await endpoint.context.clients.client(id).invoke('Double', 21), 42);
      });
    });
  }

  it('asks another connection, and fails clearly for one that is gone', async () => {
    const asker = await connect(`${server.url}/results`, NEGOTIATED_CASES[0]!);
    const answerer = await connect(`${server.url}/results`, NEGOTIATED_CASES[1]!);
    answerer.on('Double', (value: number) => value * 2);
    const answererId = answerer.connectionId!;
    assert.equal(await asker.invoke('AskOther', answererId, 'Double', 5), 10);
    await answerer.stop();
    await assert.rejects(asker.invoke('AskOther', answererId, 'Double', 5), /Connection '.+' does not exist/);
    await asker.stop();
  });

  it('fails a pending result when the client disconnects mid-wait', async () => {
    const client = await connect(`${server.url}/results`, NEGOTIATED_CASES[0]!);
    client.on('Never', () => new Promise(() => {}));
    const pending = endpoint.context.clients.client(client.connectionId!).invoke('Never');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client.stop();
    await assert.rejects(pending, /Connection disconnected before the client returned a result/);
  });

  void signalR;
});
