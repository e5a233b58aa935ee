import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { jobGroup } from '../contract.js';
import type { BenchSystem } from './system.js';
import { WriteCoalescer } from './write-coalescer.js';

interface Subscriber {
  readonly socket: WebSocket;
  /** The TCP socket under `socket`, kept from the upgrade so it can be corked. */
  readonly tcp: Duplex;
}

/** What a raw-ws client sends to subscribe, and what it gets back. */
export interface RawWsSubscribe {
  subscribeToJob: string;
}
export interface RawWsSubscribed {
  subscribed: string;
}

const TEXT_FRAME = { binary: false } as const;

/** Ends every record of a `ws-batched` frame (the byte SignalR's JSON protocol ends records with). */
export const RECORD_END = '\x1e';

/**
 * How the hand-rolled server writes: `plain` sends one frame per message per
 * socket; `coalesced` also corks each socket for the rest of the event-loop
 * turn, so its frames leave in one `writev`; `batched` joins a room's records
 * of one turn into one frame, built once and sent to every member (the limit
 * of what per-turn batching can do, and what tidings does per connection).
 */
export type RawWsMode = 'plain' | 'coalesced' | 'batched';

/**
 * Fan-out hand-rolled on `ws`: rooms are sets of sockets, each broadcast is
 * serialized once and sent to every member, as `mode` says.
 */
export async function startRawWs(mode: RawWsMode): Promise<BenchSystem> {
  const rooms = new Map<string, Set<Subscriber>>();
  const coalescer = mode === 'coalesced' ? new WriteCoalescer() : undefined;
  const batcher = mode === 'batched' ? new TurnBatcher(rooms) : undefined;
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false });
  const server = createServer();

  server.on('upgrade', (req, tcp, head) => {
    wss.handleUpgrade(req, tcp, head, (socket) => {
      const subscriber: Subscriber = { socket, tcp };
      const joined: string[] = [];
      socket.on('message', (data: Buffer) => {
        const group = jobGroup((JSON.parse(data.toString()) as RawWsSubscribe).subscribeToJob);
        let room = rooms.get(group);
        if (!room) rooms.set(group, (room = new Set()));
        room.add(subscriber);
        joined.push(group);
        socket.send(JSON.stringify({ subscribed: group } satisfies RawWsSubscribed));
      });
      socket.on('close', () => {
        for (const group of joined) rooms.get(group)?.delete(subscriber);
      });
      socket.on('error', () => socket.terminate());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as AddressInfo).port,
    broadcast(group, update) {
      if (batcher) {
        batcher.add(group, JSON.stringify(update));
        return;
      }
      const room = rooms.get(group);
      if (!room) return;
      const frame = Buffer.from(JSON.stringify(update));
      for (const { socket, tcp } of room) {
        if (socket.readyState !== WebSocket.OPEN) continue;
        coalescer?.hold(tcp);
        socket.send(frame, TEXT_FRAME);
      }
    },
  };
}

/** Collects each room's records of an event-loop turn and sends them as one shared frame when the turn's work is done. */
class TurnBatcher {
  private pending = new Map<string, string>();
  private scheduled = false;
  private readonly flush = (): void => {
    this.scheduled = false;
    const batches = this.pending;
    this.pending = new Map();
    for (const [group, text] of batches) {
      const room = this.rooms.get(group);
      if (!room) continue;
      const frame = Buffer.from(text);
      for (const { socket } of room) if (socket.readyState === WebSocket.OPEN) socket.send(frame, TEXT_FRAME);
    }
  };

  constructor(private readonly rooms: ReadonlyMap<string, ReadonlySet<Subscriber>>) {}

  add(group: string, record: string): void {
    this.pending.set(group, (this.pending.get(group) ?? '') + record + RECORD_END);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }
}
