import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { type TestServer, startHubs } from './support/server.js';
import { ALL_CASES, closed, collectStream, connect } from './support/signalr.js';
import { within } from './support/wait.js';

class WordingHub extends Hub {
  @hubMethod({})
  echo(value: string): string {
    return value;
  }

  @hubMethod({})
  async *countdown(): AsyncGenerator<number> {
    yield 1;
  }

  /** A declared client-stream parameter: counts are checked as ASP.NET checks them. */
  @hubMethod({ streams: [1] })
  async concat(prefix: string, items: AsyncIterable<string>): Promise<string> {
    let text = prefix;
    for await (const item of items) text += item;
    return text;
  }
}

class UnbuildableHub extends Hub {
  constructor() {
    super();
    throw new Error('no database');
  }

  @hubMethod({})
  echo(value: string): string {
    return value;
  }
}

let refuseActivation = false;

/**
 * ASP.NET Core's texts (DefaultHubDispatcher, HubConnectionHandler,
 * ErrorMessageHelper), each quoting the target as the client wrote it.
 */
describe('error texts match ASP.NET Core', () => {
  let server: TestServer;

  before(async () => {
    server = await startHubs((hubs) => {
      hubs.mapHub('/wording', WordingHub);
      hubs.mapHub('/detailed', WordingHub, { detailedErrors: true });
      hubs.mapHub('/unbuildable', UnbuildableHub);
      hubs.mapHub('/unbuildable-detailed', UnbuildableHub, { detailedErrors: true });
      hubs.mapHub('/flaky', WordingHub, {
        activator: () => {
          if (refuseActivation) throw new Error('scope disposed');
          return new WordingHub();
        },
      });
    });
  });
  after(() => server.close());

  for (const clientCase of ALL_CASES.filter((c) => c.name.startsWith('WebSockets') && !c.skipNegotiation)) {
    describe(clientCase.name, () => {
      it('unknown methods, argument counts and invocation modes', async () => {
        const plain = await connect(`${server.url}/wording`, clientCase);
        const detailed = await connect(`${server.url}/detailed`, clientCase);
        try {
          for (const connection of [plain, detailed]) {
            await assert.rejects(connection.invoke('NoSuchMethod'), {
              message: "Failed to invoke 'NoSuchMethod' due to an error on the server. HubException: Method does not exist.",
            });
            await assert.rejects(connection.invoke('COUNTDOWN'), {
              message: "The client attempted to invoke the streaming 'COUNTDOWN' method with a non-streaming invocation.",
            });
            await assert.rejects(collectStream(connection.stream('ECHO', 'x')), {
              message: "The client attempted to invoke the non-streaming 'ECHO' method with a streaming invocation.",
            });
          }
          await assert.rejects(plain.invoke('ECHO', 'a', 'b'), { message: "Failed to invoke 'ECHO' due to an error on the server." });
          await assert.rejects(plain.invoke('concat', 'a'), {
            message: "An unexpected error occurred invoking 'concat' on the server. HubException: Client sent 0 stream(s), Hub method expects 1.",
          });
          await assert.rejects(detailed.invoke('Concat', 'a', 'b'), {
            message: "Failed to invoke 'Concat' due to an error on the server. InvalidDataException: Invocation provides 2 argument(s) but target expects 1.",
          });
          await assert.rejects(detailed.invoke('ECHO', 'a', 'b'), {
            message: "Failed to invoke 'ECHO' due to an error on the server. InvalidDataException: Invocation provides 2 argument(s) but target expects 1.",
          });
        } finally {
          await plain.stop();
          await detailed.stop();
        }
      });

      it('a hub that cannot be constructed closes the connection at connect, with the error the client sees', async () => {
        for (const [path, expected] of [
          ['/unbuildable', 'Server returned an error on close: Connection closed with an error.'],
          ['/unbuildable-detailed', 'Server returned an error on close: Connection closed with an error. Error: no database'],
        ] as const) {
          const connection = await connect(`${server.url}${path}`, clientCase).catch((error: Error) => error);
          // The handshake may or may not finish before the Close message; either way the client is told why.
          if (connection instanceof Error) {
            assert.equal(connection.message, expected);
            continue;
          }
          const error = await within(closed(connection), 5000, 'the connection to close');
          assert.equal(error?.message, expected);
        }
      });

      it('a failed activation at invocation quotes the target', async () => {
        const connection = await connect(`${server.url}/flaky`, clientCase);
        try {
          refuseActivation = true;
          await assert.rejects(connection.invoke('eCHO', 'x'), { message: "An unexpected error occurred invoking 'eCHO' on the server." });
        } finally {
          refuseActivation = false;
          await connection.stop();
        }
      });
    });
  }
});
