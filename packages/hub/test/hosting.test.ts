import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { expressHubs } from '../src/adapters/express.js';
import { fastifyHubs } from '../src/adapters/fastify.js';
import { Hub } from '../src/hub/hub.js';
import { hubMethod } from '../src/hub/hub-method.js';
import { HubServer } from '../src/server/hub-server.js';
import { TRANSPORT_CASES, connect } from './support/signalr.js';
import { memoryLogger } from './support/server.js';

class EchoHub extends Hub {
  @hubMethod()
  echo(value: string) {
    return value;
  }
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

async function exerciseAllTransports(url: string): Promise<void> {
  for (const clientCase of TRANSPORT_CASES) {
    const connection = await connect(url, clientCase);
    assert.equal(await connection.invoke('Echo', clientCase.name), clientCase.name);
    await connection.stop();
  }
}

describe('hosting', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('attaches to a plain http.Server and leaves its other routes alone', async () => {
    const hubs = new HubServer({ logger: memoryLogger() });
    hubs.mapHub('/hubs/echo', EchoHub);
    const server = hubs.attach(
      createServer((req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(`app:${req.url}`);
      }),
    );
    const url = await listen(server);
    cleanups.push(async () => {
      await hubs.close();
      server.closeAllConnections();
      server.close();
    });
    assert.equal(await (await fetch(`${url}/other`)).text(), 'app:/other');
    await exerciseAllTransports(`${url}/hubs/echo`);
  });

  it('runs inside an Express app', async () => {
    const hubs = new HubServer({ logger: memoryLogger() });
    hubs.mapHub('/hubs/echo', EchoHub);
    const app = express();
    app.use(expressHubs(hubs));
    app.get('/api/ping', (_req, res) => {
      res.json({ pong: true });
    });
    const server = createServer(app);
    hubs.attachUpgrades(server);
    const url = await listen(server);
    cleanups.push(async () => {
      await hubs.close();
      server.closeAllConnections();
      server.close();
    });
    assert.deepEqual(await (await fetch(`${url}/api/ping`)).json(), { pong: true });
    await exerciseAllTransports(`${url}/hubs/echo`);
  });

  it('runs inside a Fastify app, before Fastify parses bodies', async () => {
    const hubs = new HubServer({ logger: memoryLogger() });
    hubs.mapHub('/hubs/echo', EchoHub);
    // A client may open a keep-alive socket it never sends a request on; only a forced close
    // stops Node from waiting for its header timeout on shutdown.
    const app = Fastify({ forceCloseConnections: true });
    app.get('/api/ping', async () => ({ pong: true }));
    fastifyHubs(app, hubs);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(async () => {
      await hubs.close();
      await app.close();
    });
    assert.deepEqual(await (await fetch(`${url}/api/ping`)).json(), { pong: true });
    await exerciseAllTransports(`${url}/hubs/echo`);
  });
});
