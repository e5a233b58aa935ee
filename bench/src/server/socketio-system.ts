import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { EVENT_NAME, jobGroup } from '../contract.js';
import type { StartOptions } from './start-system.js';
import type { BenchSystem } from './system.js';

/**
 * Socket.IO 4 as its documentation sets it up: rooms, room emits, WebSocket
 * transport only; with `redisUrl`, `@socket.io/redis-adapter` on ioredis.
 */
export async function startSocketIo(options: StartOptions = {}): Promise<BenchSystem> {
  const server = createServer();
  const io = new Server(server, { transports: ['websocket'], serveClient: false });
  const redis = options.redisUrl ? new Redis(options.redisUrl) : undefined;
  const subscriber = redis?.duplicate();
  if (redis && subscriber) {
    io.adapter(createAdapter(redis, subscriber));
    // The adapter subscribed as it was made; a reply after it means Redis has the subscriptions.
    await subscriber.ping();
  }
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
  };
}
