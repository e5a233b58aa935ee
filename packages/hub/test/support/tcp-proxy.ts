import { type Server, type Socket, connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a server, for simulating network trouble: `cut()`
 * drops every open connection abruptly (no close handshake reaches either
 * side), and `hold()` keeps new connections waiting until `release()`.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<[Socket, Socket | undefined]>();
  private holding = false;
  private readonly held: (() => void)[] = [];
  connections = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((client) => {
      this.connections++;
      const pair: [Socket, Socket | undefined] = [client, undefined];
      this.pairs.add(pair);
      client.on('error', () => {});
      client.on('close', () => {
        pair[1]?.destroy();
        this.pairs.delete(pair);
      });
      const open = (): void => {
        if (client.destroyed) return;
        const upstream = connect(this.targetPort, this.targetHost);
        pair[1] = upstream;
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => client.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
      };
      if (this.holding) {
        client.pause();
        this.held.push(() => {
          client.resume();
          open();
        });
      } else {
        open();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Drops every open connection at once, as a broken network would. */
  cut(): void {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream?.destroy();
    }
    this.pairs.clear();
  }

  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const open of this.held.splice(0)) open();
  }

  async stop(): Promise<void> {
    this.release();
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
