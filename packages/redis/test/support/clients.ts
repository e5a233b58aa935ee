/** Official @microsoft/signalr clients for the backplane tests, and delivery checks. */
import assert from 'node:assert/strict';
import { ALL_CASES, type ClientCase, buildConnection, signalR } from '../../../hub/test/support/signalr.js';
import { waitFor } from '../../../hub/test/support/wait.js';

export const WS_JSON = ALL_CASES.find((c) => c.name === 'WebSockets/JSON')!;
export const WS_MSGPACK = ALL_CASES.find((c) => c.name === 'WebSockets/MessagePack')!;
export const LONG_POLLING = ALL_CASES.find((c) => c.name === 'LongPolling/JSON')!;
export const SSE = ALL_CASES.find((c) => c.name === 'ServerSentEvents/JSON')!;

const SENTINEL = '__end__';

export interface TestClient {
  readonly connection: signalR.HubConnection;
  readonly id: string;
  /** Every `Message(payload)` received, in order. */
  readonly messages: unknown[];
  stop(): Promise<void>;
}

export async function openClient(
  url: string,
  options: { user?: string; clientCase?: ClientCase; statefulReconnect?: boolean; reconnect?: boolean } = {},
): Promise<TestClient> {
  const connection = buildConnection(url, options.clientCase ?? WS_JSON, {
    accessToken: options.user,
    statefulReconnect: options.statefulReconnect,
    reconnect: options.reconnect,
  });
  const messages: unknown[] = [];
  connection.on('Message', (payload: unknown) => {
    messages.push(payload);
  });
  await connection.start();
  // start() resolves on the handshake, before the hub's onConnected (which registers the
  // connection in Redis) has run; the first invocation is served only after it.
  await connection.invoke('NodeId');
  return {
    connection,
    get id() {
      return connection.connectionId!;
    },
    messages,
    stop: () => connection.stop(),
  };
}

/**
 * Proves what each client received, exactly: `sender` sends a sentinel to each
 * client after the sends under test (same node, so Redis keeps the order);
 * once every sentinel has arrived nothing earlier can still be in flight.
 */
export async function assertReceived(sender: TestClient, expected: ReadonlyMap<TestClient, readonly unknown[]>): Promise<void> {
  for (const client of expected.keys()) await sender.connection.invoke('SendClient', client.id, SENTINEL);
  for (const [client, messages] of expected) {
    await waitFor(() => client.messages.includes(SENTINEL), 5000, `the sentinel on ${client.id}`);
    const received = client.messages.splice(0, client.messages.length);
    assert.deepEqual(received.slice(0, -1), messages, `messages of ${client.id}`);
    assert.equal(received.at(-1), SENTINEL);
  }
}

export async function stopAll(clients: readonly (TestClient | undefined)[]): Promise<void> {
  await Promise.allSettled(clients.map((c) => c?.stop()));
}

export function range(n: number, tag: string): string[] {
  return Array.from({ length: n }, (_, i) => `${tag}-${i}`);
}
