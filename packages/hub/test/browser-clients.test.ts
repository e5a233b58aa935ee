import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { type BrowserSession, chromiumSkip, openBrowser } from '../../dashboard/test/support/browser.js';
import { TestHub } from '../src/conformance/test-hub.js';
import { HubServer } from '../src/server/hub-server.js';
import { memoryLogger } from './support/server.js';

const require = createRequire(import.meta.url);

/** The msgpack5 build their MessagePack bundles expect as a global, resolved as they would resolve it. */
function msgpack5For(protocolPackage: string): string {
  return require.resolve('msgpack5/dist/msgpack5.js', { paths: [require.resolve(protocolPackage)] });
}

/**
 * Majors of the official client that only run in browsers, with their MessagePack
 * protocols, served from node_modules (no CDN) in the order the page loads them.
 */
const BROWSER_CLIENTS = [
  {
    name: '@aspnet/signalr 1.0',
    bundles: [
      require.resolve('signalr-aspnet-1.0/dist/browser/signalr.js'),
      msgpack5For('signalr-aspnet-1.0-msgpack'),
      require.resolve('signalr-aspnet-1.0-msgpack/dist/browser/signalr-protocol-msgpack.js'),
    ],
  },
  {
    name: '@microsoft/signalr 5.0',
    bundles: [
      require.resolve('signalr-5/dist/browser/signalr.js'),
      msgpack5For('signalr-5-msgpack'),
      require.resolve('signalr-5-msgpack/dist/browser/signalr-protocol-msgpack.js'),
    ],
  },
] as const;

/** Every transport with JSON; MessagePack where the transport carries binary. */
const PAGE_CASES = [
  ['WebSockets', 'json'],
  ['ServerSentEvents', 'json'],
  ['LongPolling', 'json'],
  ['WebSockets', 'messagepack'],
  ['LongPolling', 'messagepack'],
] as const;

/**
 * What the page runs for one transport: invoke, a server-to-client stream, an
 * error's text, a callback, on the hub mapped at /testhub, addressed as /TestHub.
 */
const PAGE_SCRIPT = `
async function runCase(transportName, protocol) {
  let builder = new signalR.HubConnectionBuilder()
    .withUrl('/TestHub', { transport: signalR.HttpTransportType[transportName] })
    .configureLogging(signalR.LogLevel.None);
  if (protocol === 'messagepack') builder = builder.withHubProtocol(new signalR.protocols.msgpack.MessagePackHubProtocol());
  const connection = builder.build();
  const callbacks = [];
  connection.on('Message', (message) => callbacks.push(message));
  await connection.start();
  const echo = await connection.invoke('Echo', 'hello');
  const transport = await connection.invoke('GetActiveTransportName');
  const items = await new Promise((resolve, reject) => {
    const received = [];
    connection.stream('Stream').subscribe({ next: (i) => received.push(i), complete: () => resolve(received), error: reject });
  });
  let error;
  try {
    await connection.invoke('ThrowException', 'secret');
  } catch (e) {
    error = e.message;
  }
  await connection.invoke('InvokeWithString', 'called back');
  await connection.stop();
  return { echo, transport, items, error, callbacks };
}`;

interface PageResult {
  readonly echo: unknown;
  readonly transport: unknown;
  readonly items: unknown[];
  readonly error: string | undefined;
  readonly callbacks: unknown[];
}

describe('browser-only official clients in Chromium', { skip: chromiumSkip }, () => {
  let hubs: HubServer;
  let server: Server;
  let url = '';
  let browser: BrowserSession;

  before(async () => {
    hubs = new HubServer({ logger: memoryLogger() });
    hubs.mapHub('/testhub', TestHub);
    server = createServer((req, res) => {
      const page = /^\/client\/(\d)$/.exec(req.url ?? '');
      const bundle = /^\/bundle\/(\d)\/(\d)$/.exec(req.url ?? '');
      const client = BROWSER_CLIENTS[Number((page ?? bundle)?.[1] ?? -1)];
      if (client && page) {
        const scripts = client.bundles.map((_, i) => `<script src="/bundle/${page[1]}/${i}"></script>`).join('');
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><title>${client.name}</title>${scripts}<script>${PAGE_SCRIPT}</script>`);
        return;
      }
      const file = client && bundle ? client.bundles[Number(bundle[2])] : undefined;
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      res.end(readFileSync(file));
    });
    hubs.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await openBrowser();
  });
  after(async () => {
    await browser?.close();
    await hubs?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  BROWSER_CLIENTS.forEach((client, index) => {
    it(`${client.name}: every transport with JSON, and MessagePack`, async () => {
      const page = await browser.context.newPage();
      try {
        await page.goto(`${url}/client/${index}`);
        for (const [transport, protocol] of PAGE_CASES) {
          // A string, not a function: the test runner's transpiler would add helpers the page does not have.
          const result = (await page.evaluate(`runCase(${JSON.stringify(transport)}, ${JSON.stringify(protocol)})`)) as PageResult;
          assert.deepEqual(result, {
            echo: 'hello',
            transport,
            items: ['a', 'b', 'c'],
            error: "An unexpected error occurred invoking 'ThrowException' on the server.",
            callbacks: ['called back'],
          }, `${client.name} over ${transport} with ${protocol}`);
        }
      } finally {
        await page.close();
      }
    });
  });
});
