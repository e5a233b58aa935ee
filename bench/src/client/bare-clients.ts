import { WebSocket } from 'ws';
import type { DeliveryStats } from './delivery-stats.js';
import type { SessionHost, WireProtocol, WireSession } from './wire/wire.js';

/** Connections opened at once; more would overflow the server's accept backlog. */
const CONNECT_WAVE = 100;

/** One bare-WebSocket connection feeding the process-wide delivery counter. */
export class BareClient implements SessionHost {
  readonly socket: WebSocket;
  readonly session: WireSession;
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (error: Error) => void;
  private isSubscribed = false;

  constructor(
    url: string,
    protocol: WireProtocol,
    jobId: string,
    private readonly stats: DeliveryStats,
    localAddress?: string,
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // The counter checks nothing it does not need: no UTF-8 validation, no compression.
    this.socket = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true, localAddress });
    this.session = protocol.session(this.socket, this, jobId);
    this.socket.on('open', () => this.session.open());
    this.socket.on('message', (data: Buffer) => {
      stats.beginFrame();
      this.session.receive(data);
    });
    this.socket.on('error', (error: Error) => this.failed(error));
    this.socket.on('close', (code: number) => this.failed(new Error(`The server closed the WebSocket (${code}).`)));
  }

  deliver(frame: Buffer, start: number, end: number): void {
    this.stats.deliver(frame, start, end);
  }

  subscribed(): void {
    this.isSubscribed = true;
    this.resolveReady();
  }

  failed(error: Error): void {
    if (!this.isSubscribed) {
      this.rejectReady(error);
      this.socket.terminate();
      return;
    }
    if (this.socket.readyState === WebSocket.CLOSED) {
      this.stats.dropped++;
      return;
    }
    console.error(`bench client: ${error.message}`);
    this.socket.terminate();
  }
}

/**
 * Opens `count` subscribed connections, a wave at a time, their source
 * addresses taken in turn from `localAddresses` (each loopback address has its
 * own ephemeral ports, so more connections fit than one address allows).
 */
export async function openBareClients(
  protocol: WireProtocol,
  port: number,
  jobId: string,
  count: number,
  stats: DeliveryStats,
  localAddresses: readonly string[] = [],
): Promise<BareClient[]> {
  const url = `ws://127.0.0.1:${port}${protocol.path}`;
  const clients: BareClient[] = [];
  let opened = 0;
  const source = (): string | undefined => (localAddresses.length === 0 ? undefined : localAddresses[opened++ % localAddresses.length]);
  while (clients.length < count) {
    const wave = Array.from({ length: Math.min(CONNECT_WAVE, count - clients.length) }, () => new BareClient(url, protocol, jobId, stats, source()));
    clients.push(...wave);
    await Promise.all(wave.map((client) => client.ready));
  }
  return clients;
}
