import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { EVENT_NAME, jobGroup } from '../contract.js';
import type { BenchSystem } from './system.js';

/** Socket.IO 4 as its documentation sets it up: rooms, room emits, WebSocket transport only. */
export async function startSocketIo(): Promise<BenchSystem> {
  const server = createServer();
  const io = new Server(server, { transports: ['websocket'], serveClient: false });
  io.on('connection', (socket) => {
    socket.on('subscribeToJob', (jobId: string, ack: () => void) => {
      void socket.join(jobGroup(jobId));
      ack();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    broadcast(group, update) {
      io.to(group).emit(EVENT_NAME, update);
    },
    async close() {
      await io.close();
      server.closeAllConnections();
    },
  };
}
