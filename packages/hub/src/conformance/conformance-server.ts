import { randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { jwtAuthentication } from '../auth/jwt.js';
import { HubServer } from '../server/hub-server.js';
import type { HubOptions } from '../server/hub-options.js';
import { TestHub } from './test-hub.js';

export interface ConformanceServer {
  readonly server: Server;
  readonly hubs: HubServer;
  readonly url: string;
  readonly jwtSecret: string;
  /** A token `/authorizedhub` accepts (what `GET /generateJwtToken` returns). */
  issueToken(subject?: string, expiresIn?: string): Promise<string>;
  close(): Promise<void>;
}

export interface ConformanceOptions {
  readonly port?: number;
  readonly host?: string;
  /** Options applied to every conformance hub (timeouts in tests, say). */
  readonly hubOptions?: HubOptions;
  readonly jwtSecret?: string;
}

/**
 * The conformance example: `/testhub` on every transport,
 * `/testhub-nowebsockets`, `/authorizedhub` behind JWT with
 * `GET /generateJwtToken`, `/redirect` (a negotiate redirect to `/testhub`), and
 * `/echo`, a raw connection (no hub protocol) that sends back what it receives.
 */
export async function startConformanceServer(options: ConformanceOptions = {}): Promise<ConformanceServer> {
  const jwtSecret = options.jwtSecret ?? randomBytes(32).toString('base64url');
  const secretKey = new TextEncoder().encode(jwtSecret);
  const issueToken = (subject = 'conformance-user', expiresIn = '1h'): Promise<string> =>
    new SignJWT({ name: subject })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(secretKey);

  const hubs = new HubServer({ detailedErrors: false, ...options.hubOptions });
  hubs.mapHub('/testhub', TestHub);
  hubs.mapHub('/testhub-nowebsockets', TestHub, { transports: ['ServerSentEvents', 'LongPolling'] });
  hubs.mapHub('/authorizedhub', TestHub, { authenticate: jwtAuthentication({ secret: jwtSecret }) });
  // ASP.NET's functional-test EchoConnectionHandler: what the official clients' HttpConnection tests expect.
  hubs.mapConnectionHandler('/echo', async (connection) => {
    for await (const data of connection) connection.send(data);
  }, { maxReceiveMessageSize: 4 * 1024 * 1024 });

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/generateJwtToken') {
      void issueToken().then((token) => {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(token);
      });
      return;
    }
    if (req.method === 'POST' && path === '/redirect/negotiate') {
      const host = req.headers.host ?? 'localhost';
      const body = JSON.stringify({ url: `http://${host}/testhub?numRedirects=1` });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
      return;
    }
    if (req.method === 'GET' && path === '/health') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', hubs: hubs.paths }));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not Found');
  });
  hubs.attach(server);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}`;
  return {
    server,
    hubs,
    url,
    jwtSecret,
    issueToken,
    async close() {
      await hubs.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
