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

/**
 * Fan-out hand-rolled on `ws`: rooms are sets of sockets, each broadcast is
 * serialized once and sent to every member. With `coalesce`, writes to a
 * socket are corked for the rest of the event-loop turn.
 */
export async function startRawWs(coalesce: boolean): Promise<BenchSystem> {
  const rooms = new Map<string, Set<Subscriber>>();
  const coalescer = coalesce ? new WriteCoalescer() : undefined;
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
