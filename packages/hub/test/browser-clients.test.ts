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

/** Majors of the official client that only run in browsers, served from node_modules (no CDN). */
const BROWSER_CLIENTS = [
  { name: '@aspnet/signalr 1.0', bundle: require.resolve('signalr-aspnet-1.0/dist/browser/signalr.js') },
  { name: '@microsoft/signalr 5.0', bundle: require.resolve('signalr-5/dist/browser/signalr.js') },
] as const;

/**
 * What the page runs for one transport: invoke, a server-to-client stream, an
 * error's text, a callback, on the hub mapped at /testhub, addressed as /TestHub.
 */
const PAGE_SCRIPT = `
async function runCase(transportName) {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl('/TestHub', { transport: signalR.HttpTransportType[transportName] })
    .configureLogging(signalR.LogLevel.None)
    .build();
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
      const match = /^\/client\/(\d)$/.exec(req.url ?? '');
      const client = match ? BROWSER_CLIENTS[Number(match[1])] : undefined;
      if (req.url === '/favicon.ico' || (!client && !req.url?.startsWith('/bundle/'))) {
        res.writeHead(404).end();
        return;
      }
      if (client) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><title>${client.name}</title><script src="/bundle/${match![1]}"></script><script>${PAGE_SCRIPT}</script>`);
        return;
      }
      const bundle = BROWSER_CLIENTS[Number(req.url!.slice('/bundle/'.length))];
      if (!bundle) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      res.end(readFileSync(bundle.bundle));
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
    it(`${client.name}: every transport, with JSON`, async () => {
      const page = await browser.context.newPage();
      try {
        await page.goto(`${url}/client/${index}`);
        for (const transport of ['WebSockets', 'ServerSentEvents', 'LongPolling']) {
          // A string, not a function: the test runner's transpiler would add helpers the page does not have.
          const result = (await page.evaluate(`runCase(${JSON.stringify(transport)})`)) as PageResult;
          assert.deepEqual(result, {
            echo: 'hello',
            transport,
            items: ['a', 'b', 'c'],
            error: "An unexpected error occurred invoking 'ThrowException' on the server.",
            callbacks: ['called back'],
          }, `${client.name} over ${transport}`);
        }
      } finally {
        await page.close();
      }
    });
  });
});
