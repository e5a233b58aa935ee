/**
 * A plain TCP forwarder standing in for a load balancer: each new client
 * connection goes to the current target port. Switching the target and
 * dropping open connections models a non-sticky balancer after a network blip.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** The first line each upstream answered with (an HTTP status line, say), in order. */
  readonly firstLines: readonly string[];
  /** Where new connections go from now on. */
  setTarget(port: number): void;
  /** Destroys every open connection (both sides), as a network failure would. */
  dropConnections(): void;
  close(): Promise<void>;
}

export function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let target = targetPort;
  const open = new Set<Socket>();
  const firstLines: string[] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.once('data', (chunk: Buffer) => {
      firstLines.push(chunk.toString('latin1').split('\r\n', 1)[0] ?? '');
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address !== 'object' || !address) return reject(new Error('proxy has no address'));
      resolve({
        port: address.port,
        firstLines,
        setTarget(port) {
          target = port;
        },
        dropConnections() {
          for (const socket of open) socket.destroy();
        },
        close() {
          for (const socket of open) socket.destroy();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}
